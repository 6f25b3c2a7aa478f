using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// Joins pipelined on one socket, each queued behind the one before while that one is still running, with random
/// resume positions and label filters: every reply and every replayed event is the one its own join asked for. (A queued
/// join once read its payload from a pooled buffer that already held another frame's bytes, and lost its filter.)
/// </summary>
public sealed class ConcurrentJoinTests(ITestOutputHelper output)
{
    private static readonly string[] Teams = ["red", "green", "blue"];

    [Fact]
    public async Task PipelinedJoinsAreEachAnsweredForTheirOwnParams()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        // 600 joins in a few seconds: well over the default per-connection message rate, which is not what this tests.
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxMessagesPerSecond = o.Sockets.MessageBurst = 100_000);
        for (var i = 0; i < 30; i++)
        {
            await server.Http.CreateAsync($"s{i}", new { labels = new { team = Teams[i % 3] } });
            await server.Http.PatchAsync($"/api/sessions/s{i}", new { state = "working" });
        }

        var log = await server.Http.EventsAsync();
        var head = log[^1].Long("seq");
        var epoch = (await server.Http.GetJsonAsync("/api/summary")).Body.Str("epoch");
        var teamOf = Enumerable.Range(0, 30).ToDictionary(i => $"s{i}", i => Teams[i % 3]);

        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        for (var round = 0; round < 200; round++)
        {
            var team = random.Next(4) is var t && t < 3 ? Teams[t] : null;
            long? sessionsSince = random.Next(2) == 0 ? random.Next(0, (int)head + 1) : null;
            var target = $"s{random.Next(30)}";
            long? sessionSince = random.Next(2) == 0 ? random.Next(0, (int)head + 1) : null;
            var joins = new (string Topic, object Params, string Ref)[]
            {
                ("sessions", new { labels = team is null ? null : new Dictionary<string, string> { ["team"] = team }, since = sessionsSince, epoch }, client.NextRef()),
                ("session:" + target, new { since = sessionSince, epoch }, client.NextRef()),
                ("summary", new { }, client.NextRef()),
            };

            // All three go out at once, so each waits for the one before while that one runs.
            foreach (var (topic, parameters, r) in joins)
            {
                await client.SendAsync(r, r, topic, "phx_join", parameters);
            }

            var sessionsReply = await client.WaitForAsync(f => f.Event == "phx_reply" && f.Ref == joins[0].Ref);
            var sessionReply = await client.WaitForAsync(f => f.Event == "phx_reply" && f.Ref == joins[1].Ref);
            var summaryReply = await client.WaitForAsync(f => f.Event == "phx_reply" && f.Ref == joins[2].Ref);
            var context = $"round {round} (seed {seed}): team {team ?? "-"}, since {sessionsSince?.ToString() ?? "-"}, {target} since {sessionSince?.ToString() ?? "-"}";
            sessionsReply.Status.ShouldBe("ok", context);
            sessionReply.Status.ShouldBe("ok", context);
            summaryReply.Status.ShouldBe("ok", context);

            // sessions: the snapshot or the replay holds exactly that team's sessions.
            var expectedSessions = Replayable(log, sessionsSince, e => team is null || teamOf[e.Str("session_id")] == team);
            await CheckAsync(client, sessionsReply, "sessions", sessionsSince, expectedSessions, snapshot =>
            {
                var ids = snapshot.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ToList();
                ids.Count.ShouldBe(team is null ? 30 : 10, context);
                ids.ShouldAllBe(id => team == null || teamOf[id] == team, context);
            }, context);

            // session:{id}: the snapshot or the replay is that one session's.
            var expectedSession = Replayable(log, sessionSince, e => e.Str("session_id") == target);
            await CheckAsync(client, sessionReply, "session:" + target, sessionSince, expectedSession,
                snapshot => snapshot.GetProperty("session").Str("id").ShouldBe(target, context), context);

            summaryReply.Response.GetProperty("summary").Long("active_count").ShouldBe(30, context);
        }
    }

    /// <summary>The seqs of logged events after <paramref name="since"/> that a join with this filter replays (null: none, a snapshot).</summary>
    private static List<long>? Replayable(List<JsonElement> log, long? since, Func<JsonElement, bool> belongs) =>
        since is { } s ? log.Where(e => e.Long("seq") > s && belongs(e)).Select(e => e.Long("seq")).ToList() : null;

    private static async Task CheckAsync(PhoenixClient client, PhoenixFrame reply, string topic, long? since, List<long>? expected,
        Action<JsonElement> checkSnapshot, string context)
    {
        var response = reply.Response;
        if (since is null)
        {
            response.GetProperty("resumed").GetBoolean().ShouldBeFalse(context);
            checkSnapshot(response);
            return;
        }

        response.GetProperty("resumed").GetBoolean().ShouldBeTrue(context);
        response.Long("replayed").ShouldBe(expected!.Count, context);
        var replayed = new List<long>();
        while (replayed.Count < expected.Count)
        {
            replayed.Add((await client.WaitForAsync(f => f.Topic == topic && f.Seq is not null)).Seq!.Value);
        }

        replayed.ShouldBe(expected, context);
    }
}
