using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary>
/// A random forest of agent sessions written through <c>/api/batch</c>: creates under random parents (roots now and then,
/// never deeper than <see cref="MaxDepth"/>), usage on random sessions, terminations and cascades. Writes that the server
/// refuses (a parent ended meanwhile, usage on an ended session) are part of the workload; what counts is the log.
/// </summary>
internal sealed class TreeWorkload(int seed, string prefix)
{
    public const int MaxDepth = 8;

    private readonly Random _random = new(seed);
    private readonly List<(string Id, int Depth)> _live = [];
    private int _next;

    public int Created { get; private set; }

    /// <summary>Starts from the sessions <paramref name="other"/> created: this workload then writes into the same trees.</summary>
    public TreeWorkload Adopting(TreeWorkload other)
    {
        _live.AddRange(other._live);
        return this;
    }

    /// <summary>Writes batches of <paramref name="batch"/> operations until <paramref name="sessions"/> more sessions exist.</summary>
    public async Task RunAsync(HttpClient http, int sessions, int batch = 100)
    {
        var target = Created + sessions;
        while (Created < target)
        {
            var ops = new List<object>(batch);
            var creates = new List<(string Id, int Depth)?>(batch); // per operation: the session it creates, if it is a create
            for (var i = 0; i < batch; i++)
            {
                var roll = _random.Next(100);
                if (roll < 35 || _live.Count < 5)
                {
                    var parent = _live.Count == 0 || _random.Next(10) == 0 ? ((string Id, int Depth)?)null : _live[_random.Next(_live.Count)];
                    if (parent is { Depth: >= MaxDepth })
                    {
                        parent = null;
                    }

                    var id = $"{prefix}{_next++}";
                    creates.Add((id, parent is { } p ? p.Depth + 1 : 0));

                    ops.Add(parent is { } q
                        ? new { op = "create", id, parent_id = (string?)q.Id, input_tokens = _random.Next(10), cost_usd = Cost() }
                        : new { op = "create", id, parent_id = (string?)null, input_tokens = _random.Next(10), cost_usd = Cost() } as object);
                }
                else if (roll < 90)
                {
                    var (id, _) = _live[_random.Next(_live.Count)];
                    ops.Add(new { op = "usage", id, input_tokens = _random.Next(100), output_tokens = _random.Next(50), cost_usd = Cost() });
                    creates.Add(null);
                }
                else
                {
                    var index = _random.Next(_live.Count);
                    var (id, depth) = _live[index];
                    _live.RemoveAt(index);
                    ops.Add(new { op = "terminate", id, cascade = depth > 1 && _random.Next(4) == 0 });
                    creates.Add(null);
                }
            }

            var (status, body, _) = await http.PostAsync("/api/batch", JsonSerializer.Serialize(new { operations = ops }));
            status.ShouldBe(200, body.ToString());
            var results = body.GetProperty("results").EnumerateArray().ToList();
            for (var i = 0; i < ops.Count; i++)
            {
                if (creates[i] is { } created && results[i].GetProperty("status").GetInt32() == 201)
                {
                    _live.Add(created);
                    Created++;
                }
            }
        }
    }

    private decimal Cost() => _random.Next(4) == 0 ? 0 : Math.Round((decimal)_random.NextDouble() / 100, 7);
}

/// <summary>Every session's <c>subtree</c>, recomputed from the event log alone, compared with what the server reports.</summary>
internal static class SubtreeCheck
{
    public readonly record struct Totals(long Sessions, long Active, long Input, long Output, decimal Cost)
    {
        public static Totals Of(JsonElement t) =>
            new(t.Long("sessions"), t.Long("active"), t.Long("input_tokens"), t.Long("output_tokens"), t.GetProperty("cost_usd").GetDecimal());

        public Totals Plus(Totals o) => new(Sessions + o.Sessions, Active + o.Active, Input + o.Input, Output + o.Output, Cost + o.Cost);
    }

    /// <summary>The subtree of every session by the log: each session's own totals (replayed event by event), summed up its chain of parents.</summary>
    public static Dictionary<string, Totals> FromLog(List<JsonElement> log)
    {
        var parents = new Dictionary<string, string?>();
        var own = new Dictionary<string, Totals>();
        foreach (var e in log)
        {
            var id = e.GetProperty("session_id").GetString();
            var data = e.GetProperty("data");
            switch (e.Str("type"))
            {
                case "session_created" or "session_terminated":
                    var s = data.GetProperty("session");
                    parents[id!] = s.GetProperty("parent_id").GetString();
                    own[id!] = new Totals(1, s.Str("state") == "terminated" ? 0 : 1, s.Long("input_tokens"), s.Long("output_tokens"),
                        s.GetProperty("cost_usd").GetDecimal());
                    break;
                case "session_updated":
                    var changes = data.GetProperty("changes");
                    var t = own[id!];
                    own[id!] = t with
                    {
                        Input = changes.TryGetProperty("input_tokens", out var input) ? input.GetInt64() : t.Input,
                        Output = changes.TryGetProperty("output_tokens", out var output) ? output.GetInt64() : t.Output,
                        Cost = changes.TryGetProperty("cost_usd", out var cost) ? cost.GetDecimal() : t.Cost,
                        Active = changes.TryGetProperty("state", out var state) && state.GetString() == "terminated" ? 0 : t.Active,
                    };
                    break;
            }
        }

        var subtree = own.Keys.ToDictionary(id => id, _ => default(Totals));
        foreach (var (id, totals) in own)
        {
            for (var at = id; at is not null; at = parents[at])
            {
                subtree[at] = subtree[at].Plus(totals);
            }
        }

        return subtree;
    }

    /// <summary>Reads every session (paged) and every event, and checks each session's subtree against the log's.</summary>
    public static async Task<int> AssertExactAsync(HttpClient http)
    {
        var truth = FromLog(await http.EventsAsync());
        var reported = new Dictionary<string, Totals>();
        string? cursor = null;
        do
        {
            var (status, page, _) = await http.GetJsonAsync("/api/sessions?limit=1000" + (cursor is null ? "" : "&cursor=" + cursor));
            status.ShouldBe(200, page.ToString());
            foreach (var s in page.GetProperty("sessions").EnumerateArray())
            {
                reported[s.Str("id")] = Totals.Of(s.GetProperty("subtree"));
                s.GetProperty("depth").GetInt32().ShouldBeLessThanOrEqualTo(TreeWorkload.MaxDepth);
            }

            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.Str("next_cursor");
        }
        while (cursor is not null);

        reported.Keys.ShouldBe(truth.Keys, ignoreOrder: true);
        var wrong = truth.Where(t => reported[t.Key] != t.Value).Take(5).Select(t => $"{t.Key}: reported {reported[t.Key]}, log says {t.Value}").ToList();
        wrong.ShouldBeEmpty("every subtree equals the sum over its descendants in the log");
        return truth.Count;
    }
}
