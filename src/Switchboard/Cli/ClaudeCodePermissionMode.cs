using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// Claude Code's <c>permissions.defaultMode</c>, which decides whether a permission prompt in its terminal reaches
/// Switchboard (docs/hooks.md, "Claude Code in a terminal"): in <c>default</c> (its "manual mode") every tool that needs
/// permission sends a <c>PermissionRequest</c>, which Switchboard holds and an operator answers; in its own default,
/// <c>auto</c>, a prompt is decided by its classifier or in the terminal, and Switchboard only hears that it needs input.
/// <c>hooks install claude-code --answerable-prompts</c> sets it; nothing else ever changes it.
/// </summary>
internal static class ClaudeCodePermissionMode
{
    /// <summary>The mode in which every permission prompt arrives as a <c>PermissionRequest</c> (measured with 2.1.328).</summary>
    public const string Answerable = "default";

    public const string Flag = "--answerable-prompts";

    /// <summary>The mode the settings name, or null when they leave it to Claude Code (whose default is <c>auto</c>).</summary>
    public static string? Of(JsonObject settings) =>
        settings["permissions"] is JsonObject permissions && permissions["defaultMode"] is JsonValue mode && mode.GetValueKind() == JsonValueKind.String
            ? mode.GetValue<string>()
            : null;

    /// <summary>
    /// <paramref name="settings"/> with <c>permissions.defaultMode</c> set to <see cref="Answerable"/>, every other permission
    /// setting kept in its place. Throws <see cref="InvalidDataException"/> when <c>permissions</c> is not an object.
    /// </summary>
    public static JsonObject MakeAnswerable(JsonObject settings)
    {
        switch (settings["permissions"])
        {
            case JsonObject permissions:
                permissions["defaultMode"] = Answerable;
                break;
            case null:
                settings["permissions"] = new JsonObject { ["defaultMode"] = Answerable };
                break;
            default:
                throw new InvalidDataException("its \"permissions\" is not a JSON object");
        }

        return settings;
    }

    /// <summary>What the mode in <paramref name="before"/> and <paramref name="after"/> means for answering from Switchboard, said plainly.</summary>
    public static IEnumerable<string> Notes(string? before, string? after, bool flag)
    {
        if (after == Answerable)
        {
            yield return flag && before != Answerable
                ? $"# set permissions.defaultMode to \"{Answerable}\" (it was {Said(before)}): each permission prompt now reaches Switchboard as a PermissionRequest,"
                : $"# permissions.defaultMode is \"{Answerable}\": each permission prompt reaches Switchboard as a PermissionRequest,";
            yield return "#   held until you allow or deny it from the dashboard; the terminal shows the same dialog meanwhile, and the first answer decides.";
            yield return "#   When Claude Code offers \"Make auto mode your default permission mode?\", answer No to keep it so.";
            yield break;
        }

        yield return $"# the permission mode was left as it is ({Said(after)}). Outside \"{Answerable}\" (auto is Claude Code's own default) a permission prompt";
        yield return "#   is decided by its classifier or in its terminal: Switchboard only sees that the session needs input (\"Asks in its terminal on HOST in DIR\")";
        yield return "#   and cannot answer it.";
        yield return $"#   To answer permission prompts from Switchboard, run this again with {Flag} (sets permissions.defaultMode to \"{Answerable}\").";
    }

    private static string Said(string? mode) => mode is null ? "unset: Claude Code's default, auto" : $"\"{mode}\"";
}
