using Google.Protobuf;
using OpenTelemetry.Exporter;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Server.Otlp.Grpc;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>OTLP/gRPC on its own HTTP/2 cleartext listener, with the real .NET exporter.</summary>
public sealed class OtlpGrpcTests
{
    [Fact]
    public async Task TheDotnetExporterOverGrpcMakesOneSessionPerConversationWithExactUsage()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.GrpcUrls = "http://127.0.0.1:0");
        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        string[] conversations = ["grpc-a", "grpc-b"];
        OtlpKit.TraceAgents(grpc, OtlpExportProtocol.Grpc, conversations, failing: "grpc-b");
        await OtlpKit.ExportedAsync(server.Http, 0, conversations.Length * OtlpKit.SpansPerAgentTurn);

        var ok = await OtlpKit.SessionAsync(server.Http, "otel:c:grpc-a");
        ok.GetProperty("input_tokens").GetInt64().ShouldBe(300);
        ok.GetProperty("output_tokens").GetInt64().ShouldBe(60);
        ok.GetProperty("state").GetString().ShouldBe("idle");
        var failed = await OtlpKit.SessionAsync(server.Http, "otel:c:grpc-b");
        failed.GetProperty("input_tokens").GetInt64().ShouldBe(300);
        failed.GetProperty("state").GetString().ShouldBe("error");
    }

    [Fact]
    public async Task WithKeysNoKeyIsUnauthenticatedAndAReadKeyIsPermissionDenied()
    {
        const string writeKey = "grpc-write-key-0123456789";
        const string readKey = "grpc-read-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.GrpcUrls = "http://127.0.0.1:0";
            o.Security.AddApiKeys($"{writeKey},{readKey}:read");
        });
        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        var body = OtlpKit.ChatSpans(["grpc-keyed"]).ToByteArray();
        (await CallAsync(grpc, body, null)).ShouldBe("16"); // UNAUTHENTICATED
        (await CallAsync(grpc, body, readKey)).ShouldBe("7"); // PERMISSION_DENIED
        (await CallAsync(grpc, body, writeKey)).ShouldBe("0");

        using var reader = server.HttpWithKey(readKey);
        var before = await OtlpKit.RecordsAsync(reader, "traces");
        OtlpKit.TraceAgents(grpc, OtlpExportProtocol.Grpc, ["grpc-keyed-2"], apiKey: writeKey);
        await OtlpKit.ExportedAsync(reader, before, OtlpKit.SpansPerAgentTurn);
        (await OtlpKit.SessionAsync(reader, "otel:c:grpc-keyed")).GetProperty("input_tokens").GetInt64().ShouldBe(10);
        (await OtlpKit.SessionAsync(reader, "otel:c:grpc-keyed-2")).GetProperty("input_tokens").GetInt64().ShouldBe(300);
    }

    [Fact]
    public async Task AnAgentKeyExportsOverGrpc()
    {
        const string agentKey = "grpc-agent-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.GrpcUrls = "http://127.0.0.1:0";
            o.Security.AddApiKeys($"@exporter {agentKey}:agent");
        });
        var grpc = new Uri(server.Get<OtlpGrpcListener>().Addresses.Single());
        (await CallAsync(grpc, OtlpKit.ChatSpans(["grpc-agent"]).ToByteArray(), agentKey)).ShouldBe("0");
        using var agent = server.HttpWithKey(agentKey);
        (await OtlpKit.SessionAsync(agent, "otel:c:grpc-agent")).GetProperty("input_tokens").GetInt64().ShouldBe(10);
    }

    [Fact]
    public async Task AnAddressSetExplicitlyThatIsTakenStopsStartUp()
    {
        await using var first = await SwitchboardServer.StartAsync(o => o.Otlp.GrpcUrls = "http://127.0.0.1:0");
        var taken = first.Get<OtlpGrpcListener>().Addresses.Single();
        var failure = await Should.ThrowAsync<InvalidOperationException>(() => SwitchboardServer.StartAsync(o => o.Otlp.GrpcUrls = taken));
        failure.ToString().ShouldContain("Switchboard:Otlp:GrpcUrls");
    }

    /// <summary>One unary gRPC call over HTTP/2 cleartext; returns its <c>grpc-status</c>.</summary>
    internal static async Task<string> CallAsync(Uri grpc, byte[] request, string? key) => (await OtlpGrpcCall.CallAsync(grpc, request, key)).Status;
}
