using System.Text;
using System.Text.Json;
using Switchboard.Core.Approvals;
using Switchboard.Core.Json;

namespace Switchboard.Server.Hooks;

/// <summary>
/// Claude Code's <c>permission_suggestions</c> as an approval's suggestions ("allow always"): each kept verbatim (the
/// hook answers it back as <c>updatedPermissions</c>), with where it would be kept and a line a person reads, such as
/// "Allow Bash(npm test) for this session".
/// </summary>
internal static class PermissionSuggestions
{
    private const int MaxCount = 16;
    private const int MaxBytes = 16 * 1024;

    /// <summary>
    /// The suggestions of <paramref name="offered"/> (the payload's array): those with a known destination, at most 16,
    /// each at most 16 KiB of JSON; in the agent's order.
    /// </summary>
    public static List<ApprovalSuggestion> Read(JsonElement offered)
    {
        var suggestions = new List<ApprovalSuggestion>();
        offered = HookInput.Mend(offered);
        if (offered.ValueKind != JsonValueKind.Array)
        {
            return suggestions;
        }

        foreach (var s in offered.EnumerateArray())
        {
            if (suggestions.Count == MaxCount)
            {
                break;
            }

            if (s.ValueKind != JsonValueKind.Object || Scope(Text(s, "destination")) is not { } scope
                || CompactJson.Write(s) is var permission && Encoding.UTF8.GetByteCount(permission) > MaxBytes)
            {
                continue;
            }

            suggestions.Add(new ApprovalSuggestion(ApprovalLimits.Clip($"{What(s)} {Where(scope)}"), scope, permission));
        }

        return suggestions;
    }

    /// <summary>Claude Code's <c>destination</c> → the scope: the session (<c>cliArg</c> lives as long), or the settings file it is written to.</summary>
    private static string? Scope(string? destination) => destination switch
    {
        "session" or "cliArg" => "session",
        "localSettings" => "local",
        "projectSettings" => "project",
        "userSettings" => "user",
        _ => null,
    };

    private static string Where(string scope) => scope switch
    {
        "session" => "for this session",
        "local" => "always in this project, for you (.claude/settings.local.json)",
        "project" => "always in this project, for everyone (.claude/settings.json)",
        _ => "always, in every project (~/.claude/settings.json)",
    };

    private static string What(JsonElement s) => Text(s, "type") switch
    {
        "addRules" or "replaceRules" => Behavior(Text(s, "behavior")) + " " + Rules(s),
        "removeRules" => "Forget " + Rules(s),
        "setMode" => Text(s, "mode") switch
        {
            "acceptEdits" => "Accept every edit",
            "bypassPermissions" => "Bypass every permission",
            "plan" => "Switch to plan mode",
            var mode => $"Switch to {mode ?? "another"} mode",
        },
        "addDirectories" => "Allow access to " + List(s, "directories", d => Text(d, null)),
        "removeDirectories" => "Remove access to " + List(s, "directories", d => Text(d, null)),
        var type => $"Apply {type ?? "a change"}",
    };

    private static string Behavior(string? behavior) => behavior switch
    {
        "deny" => "Deny",
        "ask" => "Always ask for",
        _ => "Allow",
    };

    private static string Rules(JsonElement s) =>
        List(s, "rules", r => Text(r, "toolName") is { } tool ? Text(r, "ruleContent") is { } content ? $"{tool}({content})" : tool : null);

    private static string List(JsonElement s, string name, Func<JsonElement, string?> item) =>
        s.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? string.Join(", ", list.EnumerateArray().Select(item).OfType<string>())
            : "";

    /// <summary>A string property (or, with no name, the string itself); null when it is not one.</summary>
    private static string? Text(JsonElement e, string? name)
    {
        var v = e;
        if (name is not null && (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out v)))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
