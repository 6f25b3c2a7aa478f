using System.Text.RegularExpressions;

namespace Switchboard.Testing.Agents;

/// <summary>
/// A plan made as Claude Code asks for one in plan mode (docs/hooks.md): written with <c>Write</c> to the plan file its
/// prompt names, then <c>ExitPlanMode</c> called with no input. Claude Code adds the file's text to the tool's input as
/// <c>plan</c>; a <c>plan</c> the model puts in the input itself is dropped.
/// </summary>
public static partial class ClaudeCodePlan
{
    /// <summary>The model's two turns that write <paramref name="plan"/> and ask to leave plan mode.</summary>
    public static ModelTurn[] Turns(string plan) =>
    [
        ModelTurn.Reading(r => PlanFile().Match(r.Body) is { Success: true } file
            ? ModelTurn.CallTool("Write", new { file_path = file.Groups[1].Value, content = plan })
            : ModelTurn.Say("The prompt names no plan file: not in plan mode.")),
        ModelTurn.CallTool("ExitPlanMode", new { }),
    ];

    [GeneratedRegex(@"create your plan at (\S+?\.md)")]
    private static partial Regex PlanFile();
}
