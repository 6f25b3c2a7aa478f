namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// A fleet as busy as <c>switchboard demo --sessions 200</c> (about 370 events a second), driven through
/// <c>POST /api/batch</c> every 100 ms: mostly usage, then state changes, a few errors, and sessions ending while new
/// ones start. Seeded, so every run makes the same moves.
/// </summary>
public sealed class BusyFleet(HttpClient api, int size = 200, int eventsPerSecond = 370)
{
    private static readonly string[] Teams = ["search", "billing", "infra", "support"];
    private static readonly string[] Failures = ["rate limited by the model API", "tool call timed out", "context window exceeded"];
    private readonly Random _random = new(17);
    private readonly List<string> _active = [];
    private int _next;

    public async Task CreateAsync()
    {
        var operations = new List<object>();
        for (var i = 0; i < size; i++)
        {
            operations.Add(NewSession());
        }

        await api.BatchAsync(operations);
    }

    /// <summary>Keeps the fleet busy until <paramref name="stop"/>; a slow server just gets fewer events.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var perTick = eventsPerSecond / 10;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await api.BatchAsync(Tick(perTick));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private List<object> Tick(int count)
    {
        var operations = new List<object>(count);
        var touched = new HashSet<string>();
        while (operations.Count < count)
        {
            var id = _active[_random.Next(_active.Count)];
            if (!touched.Add(id))
            {
                continue; // one move per session per batch keeps every operation valid
            }

            var roll = _random.Next(100);
            if (roll < 60)
            {
                operations.Add(new { op = "usage", id, input_tokens = 400 + _random.Next(800), output_tokens = 100 + _random.Next(300), cost_usd = 0.004m });
            }
            else if (roll < 90)
            {
                operations.Add(new { op = "update", id, state = _random.Next(3) switch { 0 => "working", 1 => "idle", _ => "paused" } });
            }
            else if (roll < 95)
            {
                operations.Add(new { op = "update", id, state = "error", error_message = Failures[_random.Next(Failures.Length)] });
            }
            else
            {
                operations.Add(new { op = "terminate", id, reason = "finished" });
                _active.Remove(id);
                operations.Add(NewSession());
            }
        }

        return operations;
    }

    private object NewSession()
    {
        var id = $"busy-{_next++:0000}";
        _active.Add(id);
        return new Dictionary<string, object>
        {
            ["op"] = "create", ["id"] = id, ["name"] = $"Agent {id[5..]}", ["state"] = "working",
            ["labels"] = new Dictionary<string, string> { ["team"] = Teams[_next % Teams.Length] },
        };
    }
}
