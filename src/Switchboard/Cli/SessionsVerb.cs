using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard sessions [--state S] [--label k=v] [--all] [--limit N] [--tree [ID]]</c>: a table of sessions, newest first,
/// or the trees of the matching roots (or of one session) with their subtree totals.
/// </summary>
internal static class SessionsVerb
{
    private static readonly Option<IReadOnlyList<SessionState>?> States = new("--state")
    {
        Description = $"Only these states, comma-separated ({string.Join(", ", SessionStates.All.Select(s => s.ToWire()))}).",
        CustomParser = r =>
        {
            var states = new List<SessionState>();
            foreach (var part in r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!SessionStates.TryParse(part, out var state))
                {
                    r.AddError($"Unknown state '{part}'. States are {string.Join(", ", SessionStates.All.Select(s => s.ToWire()))}.");
                    return null;
                }

                states.Add(state);
            }

            return states;
        },
    };

    private static readonly Option<bool> All = new("--all")
    {
        Description = "Include terminated sessions (by default only active ones are listed).",
    };

    private static readonly Option<int> Limit = OptionValues.WholeNumber("--limit", "Most sessions to list (default 50).", defaultValue: 50, min: 1, max: 100_000);

    private static readonly Option<Dictionary<string, string>?> Labels = ClientVerb.LabelOption("Only sessions with this label (key=value; repeatable).");

    private static readonly Option<string?> Tree = new("--tree")
    {
        Description = "Show trees: each matching root session with everything it started, or only the subtree of the session named.",
        Arity = System.CommandLine.ArgumentArity.ZeroOrOne,
    };

    public static Command Create() =>
        ClientVerb.Create("sessions", "List sessions as a table, newest first (or as trees with --tree).", RunAsync, States, All, Limit, Labels, Tree);

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var states = result.GetValue(States);
        var limit = result.GetValue(Limit);
        // An explicit state filter says exactly what to show; otherwise only active sessions unless --all.
        var query = new SessionQuery
        {
            States = states,
            Active = states is { Count: > 0 } || result.GetValue(All) ? null : true,
            Labels = result.GetValue(Labels),
            Limit = Math.Min(limit, 1000),
        };

        if (result.GetResult(Tree) is not null)
        {
            return await SessionTree.RunAsync(client, result.GetValue(Tree), query, limit, cancellationToken);
        }

        var table = new TextTable("ID", "STATE", "NAME", "TOKENS", "COST", "TASKS", "UPDATED", "LABELS");
        table.RightAligned.UnionWith([3, 4, 5]);
        var more = false;
        await foreach (var s in client.ListAllSessionsAsync(query, cancellationToken))
        {
            if (table.Count == limit)
            {
                more = true;
                break;
            }

            table.Add(s.Id, s.StateName + (s.State == SessionState.Error && s.ErrorMessage is { } m ? $" ({Clip(m, 30)})" : ""),
                Clip(s.Name ?? "", 40), s.TotalTokens.ToString("N0", CultureInfo.InvariantCulture),
                "$" + s.CostUsd.ToString("0.0000", CultureInfo.InvariantCulture), s.TasksRunning.ToString(CultureInfo.InvariantCulture),
                Ago(s.UpdatedAt), string.Join(',', s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        }

        var count = await client.CountSessionsAsync(cancellationToken);
        var output = Console.Out;
        if (table.Count == 0)
        {
            await output.WriteLineAsync("No sessions match.");
        }
        else
        {
            table.WriteTo(output);
        }

        await output.WriteLineAsync($"{table.Count} shown{(more ? $" (more match; raise --limit)" : "")}; {count.ActiveSessions} active of {count.TotalSessions} sessions.");
        return 0;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Ago(DateTimeOffset at)
    {
        var age = TimeProvider.System.GetUtcNow() - at;
        return age.TotalSeconds < 60 ? $"{Math.Max(0, (int)age.TotalSeconds)}s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h ago"
            : at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    }
}
