using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// The simulated agents of <c>switchboard demo</c>: each slot runs one agent after another. An agent starts
/// initializing, moves between working, waiting (for a person's answer), idle, paused and error, burns tokens while working, then spends a moment
/// terminating and ends. While working it now and then starts sub-agents (child sessions, which may start their own), so
/// the dashboard shows trees whose costs roll up; an agent waits for its sub-agents before it ends. Every slot's first
/// agent opens with a different move and the first agents end early, so a newcomer sees every state within a few
/// seconds. When an operator pauses the fleet, agents pause until resumed. Each agent obeys the commands issued to its
/// session (<see cref="DemoAgentControl"/>): cancel ends it with reason <c>cancelled</c>, pause holds it in
/// <c>paused</c> until resume, a message is printed; each is acknowledged once done. Each agent writes what it does to
/// its session's <c>output</c> stream (a Durable Stream the dashboard's detail panel shows live), which closes when
/// the session ends.
/// </summary>
internal sealed partial class DemoFleet(SwitchboardClient client, int size, TextWriter log)
{
    private static readonly string[] Tasks =
    [
        "summarize support tickets", "triage failing builds", "draft release notes", "review a pull request", "translate the docs",
        "answer customer email", "refactor the billing module", "index the knowledge base", "plan the sprint", "classify invoices",
    ];

    private static readonly string[] Steps =
    [
        "read the context", "called a tool", "searched the index", "drafted a reply", "ran the tests", "checked the result",
    ];

    private static readonly string[] Teams = ["search", "billing", "infra", "support"];
    private static readonly string[] Models = ["large-reasoner", "fast-chat", "local-7b"];
    private static readonly string[] Failures = ["rate limited by the model API", "tool call timed out", "context window exceeded", "sandbox crashed"];
    private static readonly SessionState[] FirstMoves = [SessionState.Working, SessionState.Idle, SessionState.Paused, SessionState.Error, SessionState.Waiting];

    private readonly object _totals = new();
    private volatile bool _fleetPaused;
    private int _started;

    public int Started => _started;

    public long Tokens { get; private set; }

    public decimal CostUsd { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watcher = WatchFleetFlagAsync(watch.Token);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, size).Select(slot => RunSlotAsync(slot, stop)));
        }
        finally
        {
            await watch.CancelAsync();
            await watcher;
        }
    }

    /// <summary>The pause flag arrives with every summary; one subscription serves the whole fleet.</summary>
    private async Task WatchFleetFlagAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in client.SubscribeAsync("summary", cancellationToken: cancellationToken))
            {
                _fleetPaused = item switch
                {
                    SnapshotReset { Snapshot.Summary: { } s } => s.IsPaused,
                    SummaryEvent e => e.Summary.IsPaused,
                    _ => _fleetPaused,
                };
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunSlotAsync(int slot, CancellationToken stop)
    {
        if (!await SleepAsync(TimeSpan.FromMilliseconds(120 * slot), stop))
        {
            return;
        }

        for (var generation = 0; !stop.IsCancellationRequested; generation++)
        {
            try
            {
                await RunAgentAsync(slot, generation, stop);
            }
            // A refused credential (401/403) will not fix itself: stop the demo and say so.
            catch (Exception ex) when (ex is SwitchboardApiException { StatusCode: not (401 or 403) } or HttpRequestException or IOException
                or InvalidOperationException)
            {
                await log.WriteLineAsync($"! slot {slot}: {ex.Message}");
            }

            await SleepAsync(Between(300, 1200), stop);
        }
    }

    private async Task RunAgentAsync(int slot, int generation, CancellationToken stop)
    {
        var first = generation == 0;
        var task = Pick(Tasks);
        var team = Teams[slot % Teams.Length];
        var model = Pick(Models);
        var lifetime = first ? TimeSpan.FromSeconds(2.5 + 0.9 * slot) : TimeSpan.FromSeconds(Random.Shared.Next(6, 20));
        await using var agent = await client.StartSessionAsync(new NewSession
        {
            Name = task,
            Labels = new Dictionary<string, string> { ["team"] = team, ["model"] = model, ["source"] = "demo" },
            Metadata = JsonElement.Parse(new JsonObject { ["model"] = model, ["task"] = task, ["attempt"] = generation + 1 }.ToJsonString()),
            LeaseSeconds = 15,
        }, CancellationToken.None);
        Interlocked.Increment(ref _started);
        await log.WriteLineAsync($"+ {agent.Id}  {task} ({team}, {model})");
        using var obeying = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var control = new DemoAgentControl(agent, log);
        var commands = control.ObeyAsync(obeying.Token);
        var output = agent.Stream("output");
        await output.AppendAsync($"{task} ({team}, {model}), attempt {generation + 1}\n", CancellationToken.None);

        var state = SessionState.Initializing;
        var ends = TimeProvider.System.GetUtcNow() + lifetime;
        var failed = false;
        var subAgents = new List<Task>();
        if (await SleepAsync(Between(400, 700), stop))
        {
            for (var step = 0; TimeProvider.System.GetUtcNow() < ends && !stop.IsCancellationRequested && !control.Cancelled; step++)
            {
                if (control.Paused)
                {
                    // A paused run does not run down: its end moves by the time the hold took, which on a busy machine
                    // is more than the hold's step (crediting only the step ended paused agents under load).
                    var held = TimeProvider.System.GetTimestamp();
                    await control.HoldAsync(ref state, stop);
                    ends += TimeProvider.System.GetElapsedTime(held);
                    continue;
                }

                if (_fleetPaused)
                {
                    if (state != SessionState.Paused)
                    {
                        state = SessionState.Paused;
                        agent.SetState(state);
                        agent.SetTasksRunning(0);
                    }

                    await SleepAsync(TimeSpan.FromMilliseconds(500), stop);
                    continue;
                }

                state = first && step == 0 ? FirstMoves[slot % FirstMoves.Length] : Next(state);
                Enter(agent, state);
                await output.AppendAsync($"[{Clock()}] {state.ToString().ToLowerInvariant()}\n", CancellationToken.None);
                failed = state == SessionState.Error;
                for (var tick = Random.Shared.Next(1, 4); tick > 0 && TimeProvider.System.GetUtcNow() < ends && !control.Cancelled && !control.Paused; tick--)
                {
                    if (state == SessionState.Working)
                    {
                        await output.AppendAsync($"[{Clock()}] {Work(agent)}\n", CancellationToken.None);
                        StartSubAgent(agent, team, model, depth: 1, ends, subAgents, stop);
                    }

                    if (!await SleepAsync(Between(350, 800), stop))
                    {
                        break;
                    }
                }
            }
        }

        // Wind down, also on Ctrl+C: its sub-agents end first (each on its own), then a moment in terminating, then
        // terminated, so no session is left behind.
        await Task.WhenAll(subAgents);
        agent.SetState(SessionState.Terminating);
        agent.SetTasksRunning(0);
        await SleepAsync(TimeSpan.FromMilliseconds(300), stop);
        var reason = control.Cancelled ? "cancelled" : stop.IsCancellationRequested ? "demo stopped" : failed ? "failed" : "completed";
        var final = await agent.TerminateAsync(reason, CancellationToken.None);
        await log.WriteLineAsync($"- {final.Id}  {reason}: {final.TotalTokens:N0} tokens, ${final.CostUsd:0.0000}");
        await control.ConfirmCancelAsync();
        await obeying.CancelAsync();
        await commands;
    }

    private static SessionState Next(SessionState current)
    {
        var roll = Random.Shared.Next(100);
        return current switch
        {
            SessionState.Error => roll < 70 ? SessionState.Working : SessionState.Idle, // retried, or gave up for now
            SessionState.Waiting => SessionState.Working, // the person answered
            _ => roll switch
            {
                < 50 => SessionState.Working,
                < 62 => SessionState.Waiting,
                < 77 => SessionState.Idle,
                < 88 => SessionState.Paused,
                _ => SessionState.Error,
            },
        };
    }

    private static void Enter(SessionHandle agent, SessionState state)
    {
        agent.SetState(state, state == SessionState.Error ? Pick(Failures) : null);
        agent.SetTasksRunning(state == SessionState.Working ? Random.Shared.Next(1, 5) : 0);
    }

    /// <summary>Burns tokens; says what it did, for the agent's output.</summary>
    private string Work(SessionHandle agent)
    {
        var input = Random.Shared.Next(300, 2500);
        var output = Random.Shared.Next(80, 700);
        var cost = decimal.Round(input * 0.000003m + output * 0.000015m, 6);
        agent.AddUsage(input, output, cost);
        lock (_totals)
        {
            Tokens += input + output;
            CostUsd += cost;
        }

        return $"{Pick(Steps)}: read {input:N0} tokens, wrote {output:N0}";
    }

    private static string Clock() => TimeProvider.System.GetUtcNow().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sleeps; false when the fleet is stopping.</summary>
    private static async Task<bool> SleepAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Between(int minMs, int maxMs) => TimeSpan.FromMilliseconds(Random.Shared.Next(minMs, maxMs));

    private static string Pick(string[] values) => values[Random.Shared.Next(values.Length)];
}
