using Google.Protobuf;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Server.Otlp.Grpc;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Telemetry sent with a key scoped by labels: the sessions it makes carry the key's labels, over HTTP and gRPC, and it
/// cannot reach another team's session through a session id.
/// </summary>
public sealed class OtlpScopedKeyTests
{
    private const string OrgKey = "org-key-0123456789abcdef";

    [Fact]
    public async Task SessionsFromAScopedKeysTelemetryCarryItsLabelsOverWhatTheExporterSays()
    {
        await using var keys = await ScopedKeys.StartAsync(o => o.Security.AddApiKeys(OrgKey + " organization=acme"));
        var red = OtlpKit.ChatSpans(["conv-red"]);
        (await OtlpKit.PostAsync(keys.Red, "/v1/traces", red.ToByteArray())).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var session = await OtlpKit.SessionAsync(keys.Admin, "otel:c:conv-red");
        session.GetProperty("labels").Str("team").ShouldBe("red");
        session.GetProperty("labels").Str("source").ShouldBe("opentelemetry");
        session.Long("input_tokens").ShouldBe(10);
        (await OtlpKit.SessionAsync(keys.Red, "otel:c:conv-red")).Str("id").ShouldBe("otel:c:conv-red", "the key sees what it made");

        var claimed = OtlpKit.ChatSpans(["conv-org"], seed: 5); // its own span ids: the same ones would be dropped as seen
        claimed.ResourceSpans[0].Resource.Attributes.Add(OtlpKit.Attr("organization.id", "someone-else"));
        using var org = keys.Server.HttpWithKey(OrgKey);
        (await OtlpKit.PostAsync(org, "/v1/traces", claimed.ToByteArray())).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await OtlpKit.SessionAsync(keys.Admin, "otel:c:conv-org")).GetProperty("labels").Str("organization").ShouldBe("acme");
    }

    [Fact]
    public async Task AScopedKeysTelemetryForAnotherTeamsSessionIsDroppedAsIfNobodyHadSeenItAndChangesNothing()
    {
        await using var keys = await ScopedKeys.StartAsync();
        (await OtlpKit.PostAsync(keys.Blue, "/v1/traces", OtlpKit.ChatSpans(["conv-blue"], seed: 1).ToByteArray())).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var before = await OtlpKit.SessionAsync(keys.Admin, "otel:c:conv-blue");
        before.GetProperty("labels").Str("team").ShouldBe("blue");

        var answer = await OtlpKit.PostAsync(keys.Red, "/v1/traces", OtlpKit.ChatSpans(["conv-blue"], inputTokens: 500, seed: 2).ToByteArray());
        answer.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        ExportTraceServiceResponse.Parser.ParseFrom(await answer.Content.ReadAsByteArrayAsync()).PartialSuccess
            .ShouldBeNull("accepted, as telemetry for an id nobody has seen is: rejected_spans would say the session exists");

        var after = await OtlpKit.SessionAsync(keys.Admin, "otel:c:conv-blue");
        after.Long("input_tokens").ShouldBe(10, "red's tokens did not land on blue's agent");
        after.GetProperty("labels").Str("team").ShouldBe("blue", "nor did red's labels");
        after.Long("version").ShouldBe(before.Long("version"));
    }

    [Fact]
    public async Task OverGrpcTheSessionGetsTheKeysLabelsToo()
    {
        await using var keys = await ScopedKeys.StartAsync(o => o.Otlp.GrpcUrls = "http://127.0.0.1:0");
        var grpc = new Uri(keys.Server.Get<OtlpGrpcListener>().Addresses.Single());
        (await OtlpGrpcTests.CallAsync(grpc, OtlpKit.ChatSpans(["grpc-red"]).ToByteArray(), ScopedKeys.RedKey)).ShouldBe("0");
        (await OtlpGrpcTests.CallAsync(grpc, OtlpKit.ChatSpans(["red-1-grpc"], seed: 3).ToByteArray(), ScopedKeys.RedReaderKey)).ShouldBe("7"); // read-only

        var session = await OtlpKit.SessionAsync(keys.Admin, "otel:c:grpc-red");
        session.GetProperty("labels").Str("team").ShouldBe("red");
        (await keys.Blue.GetJsonAsync("/api/sessions/otel:c:grpc-red")).ShouldBeProblem(404);
    }
}
