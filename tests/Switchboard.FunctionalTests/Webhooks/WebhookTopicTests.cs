using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Webhooks;

/// <summary>
/// The <c>webhooks</c> topic (docs/webhooks.md): every endpoint's delivery state, pushed whole when it changes and to each
/// joiner, the same list <c>GET /api/webhooks</c> answers; followed on another node than the one that delivers.
/// </summary>
public sealed class WebhookTopicTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task AFollowerGetsTheStateOnJoinAndEachChangeAsGetWebhooksListsIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await SwitchboardServer.StartAsync(o => o.Webhooks.PollInterval = TimeSpan.FromMilliseconds(200));
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var joined = await client.JoinAsync("webhooks");
        joined.Status.ShouldBe("ok", joined.Raw);
        var first = await NextListAsync(client);
        first.GetArrayLength().ShouldBe(0, "no endpoints yet: an empty list, so a page can hide its strip");

        // An endpoint appears with its state; a delivery moves its cursor, attempts and lag, and each change is pushed.
        (await server.Http.PostAsync("/api/webhooks", new { id = "ops", url = receiver.Url })).Status.ShouldBe(201);
        var created = await NextListAsync(client, l => l.GetArrayLength() == 1);
        created[0].Str("id").ShouldBe("ops");
        created[0].TryGetProperty("secret", out _).ShouldBeFalse("the topic never carries secrets");
        await server.Http.CreateAsync("w1");
        await server.Http.CreateAsync("w2");
        var delivered = await NextListAsync(client, l => l[0].Long("cursor") == 2 && l[0].Long("attempts") == 2);
        delivered[0].Long("lag").ShouldBe(0);
        delivered[0].Str("state").ShouldBe("active");

        // Nothing changes: nothing is pushed, and what was pushed last is what the API lists.
        (await client.DrainAsync(TimeSpan.FromMilliseconds(2500))).ShouldNotContain(f => f.Event == "webhooks", "an unchanged state is not pushed again");
        var listed = (await server.Http.GetJsonAsync("/api/webhooks")).Body.GetProperty("webhooks");
        JsonSerializer.Serialize(delivered).ShouldBe(JsonSerializer.Serialize(listed));

        // A later joiner gets the current state right away; the join's resume params do not apply (nothing to replay).
        await using var late = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var lateJoin = await late.JoinAsync("webhooks", new { since = 1, epoch = joined.Response.Str("epoch") });
        lateJoin.Status.ShouldBe("ok", lateJoin.Raw);
        (lateJoin.Response.TryGetProperty("resumed", out var resumed) && resumed.GetBoolean()).ShouldBeFalse(lateJoin.Raw);
        var current = await NextListAsync(late);
        JsonSerializer.Serialize(current).ShouldBe(JsonSerializer.Serialize(listed));
        (await late.DrainAsync(TimeSpan.FromMilliseconds(300))).ShouldNotContain(f => f.Topic == "webhooks" && f.Event != "webhooks",
            "no logged event belongs to the topic, replayed or live");

        // Presence is not kept on it.
        var viewer = await client.JoinAsync("webhooks", new { viewer = new { name = "ops" } });
        viewer.Status.ShouldBe("error");
    }

    [Fact]
    public async Task SseCarriesTheTopicAndAResumeReplaysNoEventsIntoIt()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PostAsync("/api/webhooks", new { id = "down", url = "http://127.0.0.1:9/hook" })).Status.ShouldBe(201);
        await server.Http.CreateAsync("s1");
        await using var sse = await SseReader.OpenAsync(server.Http, "/api/stream?topics=webhooks", lastEventId: "0");
        var records = new List<SseRecord>();
        while (records.LastOrDefault()?.Event != "webhooks")
        {
            records.Add(await sse.NextAsync());
        }

        using var doc = JsonDocument.Parse(records[^1].Data!);
        doc.RootElement.GetProperty("data").GetProperty("webhooks")[0].Str("id").ShouldBe("down");
        doc.RootElement.GetProperty("type").GetString().ShouldBe("webhooks");
        records.AddRange(await sse.DrainAsync(TimeSpan.FromMilliseconds(300)));
        records.ShouldNotContain(e => e.Event == "session_created", "a resume from seq 0 replays nothing into the webhooks topic");
    }

    [Fact]
    public async Task AFollowerOnOneNodeSeesTheStateOfAnEndpointCreatedAndDeliveredThroughTheOther()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        await using var onB = await PhoenixClient.ConnectAsync(nodes.B.WebSocketUri);
        (await onB.JoinAsync("webhooks")).Status.ShouldBe("ok");
        (await NextListAsync(onB)).GetArrayLength().ShouldBe(0);

        (await nodes.HttpA.PostAsync("/api/webhooks", new { id = "shared", url = receiver.Url })).Status.ShouldBe(201);
        await nodes.HttpA.CreateAsync("n1");
        await nodes.HttpA.CreateAsync("n2");
        await TestTimeouts.Eventually(() => receiver.Accepted.Count == 2, "both events delivered");
        var seen = await NextListAsync(onB, l => l.GetArrayLength() == 1 && l[0].Long("cursor") == 2);
        seen[0].Str("id").ShouldBe("shared");
        seen[0].Long("lag").ShouldBe(0);
        seen[0].Long("attempts").ShouldBe(2);
    }

    /// <summary>The next <c>webhooks</c> push (matching <paramref name="match"/>, when given): its list.</summary>
    private static async Task<JsonElement> NextListAsync(PhoenixClient client, Func<JsonElement, bool>? match = null)
    {
        var frame = await client.WaitForAsync(f => f.Topic == "webhooks" && f.Event == "webhooks"
            && (match is null || match(f.Payload.GetProperty("data").GetProperty("webhooks"))));
        frame.Payload.GetProperty("type").GetString().ShouldBe("webhooks");
        frame.Payload.GetProperty("seq").ValueKind.ShouldBe(JsonValueKind.Null, "derived state, not a logged event");
        return frame.Payload.GetProperty("data").GetProperty("webhooks").Clone();
    }
}
