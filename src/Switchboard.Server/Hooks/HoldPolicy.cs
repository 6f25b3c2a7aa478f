using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Server.Approvals.Options;

namespace Switchboard.Server.Hooks;

/// <summary>
/// Which hook calls that ask a person are held (docs/approvals.md, "Which calls wait"): a call a
/// <c>Switchboard:Approvals:Hold</c> rule matches always is; else one a <c>Skip</c> rule matches is not; else one of a
/// non-interactive run is not unless <c>HoldNonInteractive</c>; else it is. Not holding never allows anything: the
/// agent decides by its own rules, as without Switchboard. The rules are read once, at construction.
/// </summary>
internal sealed partial class HoldPolicy
{
    /// <summary>The input keys whose value is what a call is about, in the order looked for: a file tool's path first.</summary>
    public static readonly string[] SubjectKeys = ["file_path", "notebook_path", "absolute_path", "path", "dir_path", "command", "pattern", "url", "query"];

    private const int MaxSubject = 1024 * 1024;

    private readonly HoldRule[] _hold;
    private readonly HoldRule[] _skip;
    private readonly bool _holdNonInteractive;

    public HoldPolicy(ApprovalOptions options)
    {
        // The options are validated at start, so every rule parses.
        _hold = [.. options.Hold.Select(r => HoldRule.Parse(r, out _)!)];
        _skip = [.. options.Skip.Select(r => HoldRule.Parse(r, out _)!)];
        _holdNonInteractive = options.HoldNonInteractive;
    }

    /// <summary>Null when the call is held; else why it is not, for the log.</summary>
    public string? WhyNotHeld(string tool, JsonElement input, HookRun run)
    {
        var subject = Subject(input, MaxSubject, out var key);
        // A shell command is held if any of its commands is, and skipped only if each of them is.
        string[] parts = subject is null ? [] : key == "command" ? Commands(subject) : [subject];
        if (_hold.Any(r => r.Names(tool) && (r.Matches(subject) || parts.Any(r.Matches))))
        {
            return null;
        }

        var skip = _skip.Where(r => r.Names(tool)).ToList();
        if (skip.Any(r => r.WholeTool) || parts.Length > 0 && skip.Count > 0 && parts.All(p => skip.Any(r => r.Matches(p))))
        {
            return "a Switchboard:Approvals:Skip rule matches it";
        }

        return run == HookRun.NonInteractive && !_holdNonInteractive
            ? "the run is not interactive and Switchboard:Approvals:HoldNonInteractive is false"
            : null;
    }

    /// <summary>What a call is about: the first of <see cref="SubjectKeys"/> the input has as a string, at most <paramref name="max"/> characters.</summary>
    public static string? Subject(JsonElement input, int max, out string? key)
    {
        foreach (var k in SubjectKeys)
        {
            if (HookEvent.Text(input, k, max) is { } text)
            {
                key = k;
                return text;
            }
        }

        key = null;
        return null;
    }

    /// <summary>
    /// The commands of a shell line: split at <c>; &amp; | ( ) `</c> and newlines (so <c>a &amp;&amp; b</c>, <c>a | b</c>
    /// and <c>$(b)</c> each give <c>b</c>), trimmed, without leading <c>NAME=value</c> assignments. Not a shell parser:
    /// a quoted separator splits too, which only ever adds parts.
    /// </summary>
    internal static string[] Commands(string line) =>
        [.. Separators().Split(line).Select(p => Assignments().Replace(p.Trim(), "").Trim()).Where(p => p.Length > 0 && p != "$")];

    [GeneratedRegex(@"[;&|()`\r\n]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*=\S*\s+)+")]
    private static partial Regex Assignments();
}
