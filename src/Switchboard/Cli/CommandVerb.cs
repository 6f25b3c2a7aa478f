using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard command SESSION cancel|pause|resume|message ["text"] [--expires D] [--wait]</c>: issues a command to the
/// producer of a session, and with <c>--wait</c> waits for its answer; <c>switchboard command SESSION --list</c> shows its
/// commands.
/// </summary>
internal static class CommandVerb
{
    private static readonly string[] Types = ["cancel", "pause", "resume", "message"];

    private static readonly Argument<string> Session = new("session") { Description = "The session whose producer gets the command." };

    private static readonly Argument<string?> Type = new("type")
    {
        Description = "cancel, pause, resume or message.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Argument<string?> Text = new("text")
    {
        Description = "The message (required for message), or why.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<TimeSpan?> Expires = OptionValues.Duration("--expires",
        "Not delivered after this long: 90, 90s, 5m, 1h (1 s to 1 day; default 5m).");

    private static readonly Option<bool> Wait = new("--wait") { Description = "Wait for the producer's answer (until the command expires)." };

    private static readonly Option<bool> List = new("--list") { Description = "List the session's commands instead of issuing one." };

    public static Command Create()
    {
        Type.AcceptOnlyFromAmong(Types);
        var command = ClientVerb.Create("command", "Issue cancel, pause, resume or message to a session's producer; --list shows its commands.",
            RunAsync, Session, Type, Text, Expires, Wait, List);
        command.Validators.Add(r =>
        {
            var type = r.GetValue(Type);
            if (r.GetValue(List))
            {
                if (type is not null || r.GetValue(Wait) || r.GetValue(Expires) is not null)
                {
                    r.AddError("--list takes only the session: switchboard command SESSION --list.");
                }
            }
            else if (type is null)
            {
                r.AddError("Name the command: switchboard command SESSION cancel|pause|resume|message [\"text\"] (or --list).");
            }
            else if (type == "message" && string.IsNullOrWhiteSpace(r.GetValue(Text)))
            {
                r.AddError("A message needs its text: switchboard command SESSION message \"…\".");
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        var session = result.GetValue(Session)!;
        if (result.GetValue(List))
        {
            await WriteListAsync(client, session, output, cancellationToken);
            return 0;
        }

        var type = Enum.Parse<CommandType>(result.GetValue(Type)!, ignoreCase: true);
        var request = new NewCommand(type, result.GetValue(Text), ExpiresIn: result.GetValue(Expires));
        if (!result.GetValue(Wait))
        {
            var issued = await client.IssueCommandAsync(session, request, cancellationToken);
            await output.WriteLineAsync($"Issued {issued.Id} ({Name(issued.Type)}) to {session}; it expires at {Time(issued.ExpiresAt)} UTC.");
            return 0;
        }

        return await IssueAndWaitAsync(client, session, request, output, cancellationToken);
    }

    /// <summary>Follows the session's topic from before the issue, so the answer cannot slip past between the two.</summary>
    private static async Task<int> IssueAndWaitAsync(SwitchboardClient client, string session, NewCommand request, TextWriter output, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        SessionCommand? issued = null;
        await foreach (var item in client.SubscribeAsync("session:" + session, cancellationToken: stop.Token))
        {
            if (item is SnapshotReset && issued is null)
            {
                issued = await client.IssueCommandAsync(session, request, cancellationToken);
                await output.WriteLineAsync($"Issued {issued.Id} ({Name(issued.Type)}) to {session}; waiting for the producer's answer until {Time(issued.ExpiresAt)} UTC…");
                stop.CancelAfter(issued.ExpiresAt - TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(5));
            }
            else if (item is SnapshotReset && issued is not null && await client.GetCommandAsync(session, issued.Id, cancellationToken) is { IsOutstanding: false } read)
            {
                return await ReportAsync(read, output); // the stream restarted from a snapshot: the answer may have come meanwhile
            }
            else if (item is CommandEvent { Command: { IsOutstanding: false } done } && done.Id == issued?.Id)
            {
                return await ReportAsync(done, output);
            }
            else if (item is CommandEvent { Type: "command_delivered", Command: var delivered } handed && delivered.Id == issued?.Id)
            {
                await output.WriteLineAsync(delivered.Attempt > 1
                    ? $"Handed to the producer again at {Time(handed.At)} UTC (attempt {delivered.Attempt}): it was not acknowledged in time."
                    : $"Delivered to the producer at {Time(delivered.DeliveredAt!.Value)} UTC.");
            }
        }

        return SwitchboardCommandLine.Failure;
    }

    private static async Task<int> ReportAsync(SessionCommand command, TextWriter output)
    {
        var outcome = command.State == CommandState.Acknowledged ? Name(command.Outcome!.Value) : Name(command.State);
        await output.WriteLineAsync($"{command.Id}: {outcome}{(command.Note is { } note ? " — " + note : "")}.");
        return command.Outcome == CommandOutcome.Done ? 0 : SwitchboardCommandLine.Failure;
    }

    private static async Task WriteListAsync(SwitchboardClient client, string session, TextWriter output, CancellationToken cancellationToken)
    {
        var list = await client.ListCommandsAsync(session, cancellationToken: cancellationToken);
        if (list.Commands.Count == 0)
        {
            await output.WriteLineAsync($"No commands for {session}.");
            return;
        }

        var table = new TextTable(["ID", "TYPE", "STATE", "ISSUED (UTC)", "BY", "OUTCOME", "TEXT"]);
        foreach (var c in list.Commands)
        {
            table.Add([c.Id, Name(c.Type), Name(c.State), Time(c.IssuedAt), c.IssuedBy, c.Outcome is { } o ? Name(o) : "-",
                TextTable.OneLine(c.Text ?? "", 60)]);
        }

        table.WriteTo(output);
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
