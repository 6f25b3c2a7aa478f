using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard tail [topic] [--since N] [--json]</c>: prints a topic's events live through the SDK. Reconnects on
/// its own and resumes by seq; notes about joins, resumes and snapshots go to stderr so stdout holds only events.
/// </summary>
internal static class TailVerb
{
    private static readonly Argument<string> Topic = new("topic")
    {
        Description = "sessions (default), summary, session:{id}, alerts, commands, approvals or webhooks (any topic the server serves).",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => "sessions",
    };

    private static readonly Option<long?> Since = OptionValues.Seq("--since",
        "Replay every event after this seq first (the seq of the last event you saw), then follow live.");

    /// <summary>How long tail waits between attempts while the server cannot be reached.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

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

    private static readonly Option<Dictionary<string, string>?> Labels = ClientVerb.LabelOption("Only sessions with this label (key=value; repeatable).");

    public static Command Create() =>
        ClientVerb.Create("tail", "Print live events of a topic; resumes after --since.", RunAsync, Topic, Since, Epoch, Json, NoSummary, Labels);

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var topic = result.GetValue(Topic)!;
        var json = result.GetValue(Json);
        var summaries = !result.GetValue(NoSummary);
        var since = result.GetValue(Since) is { } seq ? new StreamPosition(seq, result.GetValue(Epoch)) : (StreamPosition?)null;
        var stdout = Console.Out;
        var stderr = Console.Error;
        var options = new SubscribeOptions
        {
            Labels = result.GetValue(Labels),
            ReconnectBaseDelay = RetryDelay,
            ReconnectMaxDelay = RetryDelay,
            // The subscription keeps retrying on its own; saying so is what keeps an unreachable server from looking like a quiet one.
            OnReconnecting = (failure, delay) => stderr.WriteLine(
                $"# cannot reach {client.BaseAddress}: {Reason(failure)}; retrying in {delay.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"),
        };
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
                case Resumed { Reconnects: > 0 } resumed:
                    await stderr.WriteLineAsync($"# reconnected, resumed after seq {resumed.Since}: replaying {resumed.Replayed} events");
                    break;
                case Resumed resumed:
                    await stderr.WriteLineAsync($"# resumed after seq {resumed.Since}: replaying {resumed.Replayed} events");
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

    /// <summary>The innermost message says what actually failed ("Connection refused (127.0.0.1:5080)").</summary>
    private static string Reason(Exception? failure)
    {
        if (failure is null)
        {
            return "the server closed the stream";
        }

        while (failure.InnerException is not null)
        {
            failure = failure.InnerException;
        }

        return failure.Message.TrimEnd('.');
    }
}
