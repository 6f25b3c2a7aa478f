using System.Text;
using System.Text.Json;

namespace Switchboard.Client.Tests;

/// <summary>A session handle's durable streams (<c>handle.Stream("output")</c>) against a real server.</summary>
public sealed class SessionStreamTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>, IDisposable
{
    private readonly FaultInjectingHandler _wire = new();
    private SwitchboardClient? _client;

    private SwitchboardClient Client => _client ??= new SwitchboardClient(fixture.Server.BaseAddress, new SwitchboardClientOptions { HttpHandler = _wire });

    public void Dispose()
    {
        _client?.Dispose();
        _wire.Dispose();
    }

    [Fact]
    public async Task SmallAppendsAreCoalescedAndALostAnswerAppendsNothingTwice()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { Name = "writer" });
        var posts = 0;
        _wire.Decide = r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.StartsWith("/v1/stream/", StringComparison.Ordinal)
            && Interlocked.Increment(ref posts) == 2 ? Fault.LoseResponse : Fault.None;
        var output = handle.Stream("output");
        var expected = new StringBuilder();
        var appends = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            expected.Append($"line {i}\n");
            appends.Add(output.AppendAsync($"line {i}\n"));
        }

        await Task.WhenAll(appends);

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        (await http.GetStringAsync($"/v1/stream/sessions/{handle.Id}/output?offset=-1")).ShouldBe(expected.ToString());
        var sent = _wire.Requests.Count(r => r.Method == "POST" && r.Path.StartsWith("/v1/stream/", StringComparison.Ordinal));
        sent.ShouldBeLessThan(200, "appends made while one is on its way go in the next request");
        _wire.Requests.ShouldContain(r => r.Fault == Fault.LoseResponse, "an answer was lost and the append retried");
        handle.Stream("output").ShouldBeSameAs(output);
    }

    [Fact]
    public async Task AJsonStreamKeepsEachMessageWholeArraysIncluded()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { Name = "json" });
        var events = handle.Stream("ag-ui", "application/json");
        await Task.WhenAll(
            events.AppendJsonAsync(JsonDocument.Parse("""{"type":"start"}""").RootElement),
            events.AppendJsonAsync(JsonDocument.Parse("[1,2]").RootElement),
            events.AppendAsync("""{"type":"end"}"""));

        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        var body = await http.GetStringAsync($"/v1/stream/sessions/{handle.Id}/ag-ui?offset=-1");
        JsonDocument.Parse(body).RootElement.GetRawText().ShouldBe("""[{"type":"start"},[1,2],{"type":"end"}]""");
    }

    [Fact]
    public async Task TheSessionListsTheStreamsItsHandleWrote()
    {
        await using var handle = await Client.StartSessionAsync(new NewSession { Name = "listed" });
        (await Client.GetSessionAsync(handle.Id)).ShouldNotBeNull().Streams.ShouldBeEmpty();
        await handle.Stream("output").AppendAsync("hello");
        await handle.Stream("ag-ui", "application/json").AppendAsync("""{"type":"start"}""");

        var session = (await Client.GetSessionAsync(handle.Id)).ShouldNotBeNull();
        session.Streams.ShouldBe([new SessionStreamInfo("ag-ui", "application/json", false), new SessionStreamInfo("output", "text/plain", false)]);
    }
}
