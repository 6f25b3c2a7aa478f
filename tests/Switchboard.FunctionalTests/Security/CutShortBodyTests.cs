using Microsoft.Extensions.Logging;
using Switchboard.FunctionalTests.DurableStreams;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// A body that cannot be read is the client's fault on every route that reads one: broken chunked framing is answered
/// 400 <c>malformed_body</c>, one sent slower than Kestrel's minimum data rate 408, a client that leaves mid-body ends its
/// request, and none is a 500, an error in the log, a write, or bytes kept of the node's budget.
/// </summary>
public sealed class CutShortBodyTests
{
    [Theory]
    [InlineData("POST /hooks/claude-code", "application/json")]
    [InlineData("POST /v1/traces", "application/x-protobuf")]
    [InlineData("POST /v1/stream/log", "text/plain")]
    public async Task ABodyThatCannotBeReadIsTheClientsFaultNotAFailure(string route, string contentType)
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PutAsync("log", "start")).Status.ShouldBe(201);
        var head = $"{route} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: {contentType}\r\n";

        var broken = await RawHttp.SendAsync(server.BaseAddress, head + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"id\":\"cut\",\"ses\r\nzz\r\n", TestTimeouts.Default);
        broken.Status.ShouldBe(400, broken.Text);
        broken.Text.ShouldContain("Content-Type: application/problem+json");
        broken.Text.ShouldContain("\"code\":\"malformed_body\"");
        broken.Closed.ShouldBeTrue("the rest of the connection is garbage");

        // Announces 1,000 bytes, sends 33 and leaves: nobody to answer, and nothing to log.
        await RawHttp.SendAsync(server.BaseAddress, head + "Content-Length: 1000\r\n\r\n{\"id\":\"cut\",\"session_id\":\"cut\",", TestTimeouts.Default, closeSending: true);

        await TestTimeouts.Eventually(() => server.Get<RequestBodyBudget>().InFlight == 0, "the bodies' bytes to be released");
        server.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ShouldBeEmpty();
        (await server.Http.GetJsonAsync("/api/sessions")).Body.GetProperty("sessions").GetArrayLength().ShouldBe(0);
        (await server.Http.ReadAsync("log")).Body.ShouldBe("start");
    }

    [Fact]
    public async Task AHookSentSlowerThanKestrelsMinimumDataRateIsCutWith408NotA500()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var head = $"POST /hooks/claude-code HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";

        // 10 bytes, then nothing: after its 5 s grace Kestrel finds the body under 240 B/s.
        var answer = await RawHttp.SendAsync(server.BaseAddress, head + "{\"session_", TestTimeouts.Default);

        answer.Status.ShouldBe(408, answer.Text);
        answer.Text.ShouldContain("\"code\":\"malformed_body\"");
        answer.Closed.ShouldBeTrue();
        server.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ShouldBeEmpty();
        server.Get<RequestBodyBudget>().InFlight.ShouldBe(0);
    }
}
