using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>Sub-agents: child sessions an agent starts while it works, one or two levels deep, ending before their parent.</summary>
internal sealed partial class DemoFleet
{
    private const int MaxSubAgentDepth = 2;

    private static readonly string[] SubTasks = ["search the web", "run the tests", "read a file", "call a tool", "write a draft", "check the facts"];

    /// <summary>Now and then (while working) starts a sub-agent of <paramref name="parent"/>; at most two run under one parent at a time.</summary>
    private void StartSubAgent(SessionHandle parent, string team, string model, int depth, DateTimeOffset parentEnds, List<Task> running,
        CancellationToken stop)
    {
        running.RemoveAll(t => t.IsCompleted);
        var left = parentEnds - TimeProvider.System.GetUtcNow();
        if (depth > MaxSubAgentDepth || running.Count >= 2 || left < TimeSpan.FromSeconds(2) || Random.Shared.Next(100) >= 35 / depth)
        {
            return;
        }

        running.Add(RunSubAgentAsync(parent.Id, team, model, depth, left, stop));
    }

    private async Task RunSubAgentAsync(string parentId, string team, string model, int depth, TimeSpan room, CancellationToken stop)
    {
        try
        {
            await using var sub = await client.StartSessionAsync(new NewSession
            {
                ParentId = parentId,
                Name = Pick(SubTasks),
                State = SessionState.Working,
                Labels = new Dictionary<string, string> { ["team"] = team, ["model"] = model, ["source"] = "demo" },
                LeaseSeconds = 15,
            }, CancellationToken.None);
            Interlocked.Increment(ref _started);
            await log.WriteLineAsync($"  + {sub.Id}  {sub.Session.Name} (under {parentId})");
            var ends = TimeProvider.System.GetUtcNow() + TimeSpan.FromMilliseconds(Math.Min(room.TotalMilliseconds - 500, Random.Shared.Next(1500, 6000)));
            var children = new List<Task>();
            sub.SetTasksRunning(1);
            while (TimeProvider.System.GetUtcNow() < ends && !stop.IsCancellationRequested)
            {
                if (!_fleetPaused)
                {
                    Work(sub);
                    StartSubAgent(sub, team, model, depth + 1, ends, children, stop);
                }

                if (!await SleepAsync(Between(300, 700), stop))
                {
                    break;
                }
            }

            await Task.WhenAll(children);
            sub.SetTasksRunning(0);
            await sub.TerminateAsync(stop.IsCancellationRequested ? "demo stopped" : "completed", CancellationToken.None);
        }
        catch (Exception ex) when (ex is SwitchboardApiException { StatusCode: not (401 or 403) } or HttpRequestException or IOException
            or InvalidOperationException)
        {
            await log.WriteLineAsync($"! sub-agent of {parentId}: {ex.Message}");
        }
    }
}
