using System.CommandLine;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard tail [topic] [--since N] [--json]</c>: prints a topic's events live through the SDK. Reconnects on
/// its own and resumes by seq; notes about joins, resumes and snapshots go to stderr so stdout holds only events.
/// </summary>
internal static class TailCommand
{
    private static readonly Argument<string> Topic = new("topic")
    {
        Description = "sessions (default), summary, or session:{id}.",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => "sessions",
    };

    private static readonly Option<long?> Since = new("--since")
    {
        Description = "Replay every event after this seq first (the seq of the last event you saw), then follow live.",
    };

    private static readonly Option<string?> Epoch = new("--epoch")
    {
        Description = "The epoch that --since belongs to (default: the server's current log).",
    };

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Print each event envelope as one JSON line.",
    };

    private static readonly Option<bool> NoSummary = new("--no-summary")
    {
        Description = "Leave out summary events.",
    };

    private static readonly Option<Dictionary<string, string>?> Labels = ClientCommand.LabelOption("Only sessions with this label (key=value; repeatable).");

    public static Command Create() =>
        ClientCommand.Create("tail", "Print live events of a topic; resumes after --since.", RunAsync, Topic, Since, Epoch, Json, NoSummary, Labels);

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var topic = result.GetValue(Topic)!;
        var json = result.GetValue(Json);
        var summaries = !result.GetValue(NoSummary);
        var since = result.GetValue(Since) is { } seq ? new StreamPosition(seq, result.GetValue(Epoch)) : (StreamPosition?)null;
        var options = new SubscribeOptions { Labels = result.GetValue(Labels) };
        var stdout = Console.Out;
        var stderr = Console.Error;
        await foreach (var item in client.SubscribeAsync(topic, since, options, cancellationToken))
        {
            switch (item)
            {
                case SnapshotReset { ResumeRequested: true } reset:
                    await stderr.WriteLineAsync($"# could not resume: events up to seq {reset.Snapshot.Seq} were not replayed (retention, another log, or too far behind); following from there");
                    break;
                case SnapshotReset reset:
                    await stderr.WriteLineAsync($"# joined {topic} at seq {reset.Snapshot.Seq} (epoch {reset.Snapshot.Epoch})"
                        + (reset.Snapshot.Sessions is { } s ? $": {s.Count}{(reset.Snapshot.NextCursor is null ? "" : "+")} active sessions" : ""));
                    break;
                case Resumed resumed:
                    await stderr.WriteLineAsync($"# resumed after seq {resumed.Since}: replaying {resumed.Replayed} events"
                        + (resumed.Reconnects > 0 ? $" (reconnect {resumed.Reconnects})" : ""));
                    break;
                case SummaryEvent when !summaries:
                    break;
                case SwitchboardEvent e:
                    await stdout.WriteLineAsync(json ? EventFormatter.Json(e) : EventFormatter.Line(e));
                    break;
            }
        }

        return 0;
    }
}
