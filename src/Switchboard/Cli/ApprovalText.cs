using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>How the approval verb prints approvals: a list, one in full (what a person decides on), an answer's outcome.</summary>
internal static class ApprovalText
{
    /// <summary>A plan shows this many lines; the rest is counted, and read in full on the dashboard or over the API.</summary>
    private const int PlanLines = 12;

    public static void WriteList(IReadOnlyList<Approval> approvals, string session, TextWriter output)
    {
        if (approvals.Count == 0)
        {
            output.WriteLine($"No approvals for {session}.");
            return;
        }

        var table = new TextTable(["ID", "KIND", "STATE", "ASKED (UTC)", "TOOL", "SUMMARY"]);
        foreach (var a in approvals)
        {
            table.Add([a.Id, Name(a.Kind), Name(a.State), Time(a.RequestedAt), a.Tool ?? "-", TextTable.OneLine(a.Summary, 60)]);
        }

        table.WriteTo(output);
    }

    public static void WriteOne(Approval a, TextWriter output)
    {
        output.WriteLine($"{a.Id}  {Name(a.Kind)}  {Name(a.State)}{(a.Tool is { } tool ? "  " + tool : "")}");
        output.WriteLine($"  {TextTable.OneLine(a.Summary, 200)}");
        if (a.Cwd is { } cwd)
        {
            output.WriteLine($"  in {cwd}");
        }

        for (var i = 0; i < (a.Questions?.Count ?? 0); i++)
        {
            var q = a.Questions![i];
            output.WriteLine($"Question {i + 1}{(q.Header is { } h ? " (" + h + ")" : "")}{(q.MultiSelect ? ", several allowed" : "")}: {q.Question}");
            foreach (var option in q.Options)
            {
                output.WriteLine($"  - {option.Label}{(option.Description is { } d ? ": " + d : "")}");
            }

            output.WriteLine("  - or any other answer, in your words");
        }

        if (a.Plan is { } plan)
        {
            var lines = plan.ReplaceLineEndings("\n").Split('\n');
            output.WriteLine("Plan:");
            foreach (var line in lines.Take(PlanLines))
            {
                output.WriteLine("  " + line);
            }

            if (lines.Length > PlanLines)
            {
                output.WriteLine($"  … {lines.Length - PlanLines} more lines");
            }
        }

        for (var i = 0; i < a.Suggestions.Count; i++)
        {
            output.WriteLine($"{(i == 0 ? "Allow always:" : "             ")} {i + 1}. {a.Suggestions[i].Label} ({Name(a.Suggestions[i].Scope)})");
        }

        if (a.InputTruncated)
        {
            output.WriteLine("(the agent's input was longer than Switchboard keeps: its longest strings are cut)");
        }

        if (a.State != ApprovalState.Pending)
        {
            WriteAnswered(a, output);
        }
    }

    public static void WriteAnswered(Approval a, TextWriter output)
    {
        var (outcome, detail) = a.State switch
        {
            ApprovalState.Allowed when a.Answers is { } answers => ("Answered", ": " + string.Join("; ", answers.Select(p => $"{p.Key} = {p.Value}"))),
            ApprovalState.Allowed when a.AppliedSuggestion is { } i && i < a.Suggestions.Count => ("Allowed", ", and always: " + a.Suggestions[i].Label),
            ApprovalState.Denied when a.Interrupt is true => ("Denied", ", and the agent stopped"),
            _ => (Name(a.State)[..1].ToUpperInvariant() + Name(a.State)[1..], ""),
        };
        output.WriteLine($"{a.Id}: {outcome}{(a.AnsweredBy is { } by ? " by " + by : "")}{detail}{(a.Note is { } note ? " — " + note : "")}.");
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
