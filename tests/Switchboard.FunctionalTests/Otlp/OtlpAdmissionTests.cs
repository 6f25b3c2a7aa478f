using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Otlp.Grpc;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// The answers OTLP exporters retry on (issue 27): 503 with <c>Retry-After</c> (gRPC UNAVAILABLE) while admission control
/// holds writes back, and 429 with <c>Retry-After</c> past the per-key write rate; a refused export writes nothing, and
/// every record it carried is counted as refused.
/// </summary>
public sealed class OtlpAdmissionTests
{
    /// <summary>Admission control under the test's hand: writes wait while it is closed.</summary>
    internal sealed class Gate : IWriteThrottle
    {
        private volatile TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => new(_open.Task.WaitAsync(cancellationToken));
    }

    [Fact]
    public async Task UnderAdmissionControlAnExportGets503WithRetryAfterOrUnavailableAndWritesNothing()
    {
        var gate = new Gate();
        await using var server = await SwitchboardServer.StartAsync(
            o =>
            {
                o.Sockets.WriteWaitTimeout = TestTimeouts.RefusedWrite;
                o.Otlp.GrpcUrls = "http://127.0.0.1:0";
            },
            services: s => s.AddSingleton<IWriteThrottle>(gate));
        var body = OtlpKit.ChatSpans(["held"], spansEach: 3).ToByteArray();

        var refused = await OtlpKit.PostAsync(server.Http, "/v1/traces", body);
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter.ShouldNotBeNull();
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await refused.Content.ReadAsStringAsync()).ShouldContain("overloaded");

        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        (await OtlpGrpcTests.CallAsync(grpc, body, null)).ShouldBe("14"); // UNAVAILABLE: the gRPC exporters retry it
        (await server.Http.GetJsonAsync("/api/sessions/otel:c:held")).Status.ShouldBe(404, "a refused export writes nothing");
        (await OtlpKit.RecordsAsync(server.Http, "traces", "refused")).ShouldBe(6, "both exports' three spans");

        // Room again: the exporter's retry of the same body goes through, once. It may wait as long as a loaded machine
        // takes to schedule the pipeline: only the refusals above depend on the short wait.
        gate.Open();
        server.Get<SocketOptions>().WriteWaitTimeout = TestTimeouts.Long;
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await OtlpKit.SessionAsync(server.Http, "otel:c:held")).Long("input_tokens").ShouldBe(30);
        (await OtlpKit.RecordsAsync(server.Http, "traces", "accepted")).ShouldBe(6, "accepted twice; the second time deduplicated");
    }

    [Fact]
    public async Task PastTheWriteRateAnExportGets429WithRetryAfterAndWritesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Http.WriteRateLimit = 1;
            o.Http.WriteRateWindow = TimeSpan.FromMinutes(10);
        });
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", OtlpKit.ChatSpans(["first"]).ToByteArray())).StatusCode.ShouldBe(HttpStatusCode.OK);

        var limited = await OtlpKit.PostAsync(server.Http, "/v1/traces", OtlpKit.ChatSpans(["second"]).ToByteArray());
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        limited.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await server.Http.GetJsonAsync("/api/sessions/otel:c:second")).Status.ShouldBe(404);
    }
}
