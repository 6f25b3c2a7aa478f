namespace Switchboard.Server.Hooks;

/// <summary>
/// One rule of <c>Switchboard:Approvals:Hold</c> or <c>:Skip</c>, in Claude Code's permission-rule syntax: <c>Tool</c>
/// (every call of the tool) or <c>Tool(pattern)</c> (the calls whose subject the pattern matches). In both parts <c>*</c>
/// stands for any run of characters and everything else for itself, case-sensitive, over the whole text; a pattern
/// ending in <c> *</c> or <c>:*</c> (Claude Code's older prefix form) also matches its prefix alone, so <c>Bash(rm *)</c>
/// matches <c>rm</c> and <c>rm -rf build</c> but not <c>rmdir x</c>. See docs/approvals.md, "Which calls wait".
/// </summary>
internal sealed class HoldRule
{
    /// <summary>The longest rule accepted, and the most rules in one list.</summary>
    public const int MaxLength = 1_000, MaxRules = 500;

    private readonly string _tool;
    private readonly string? _pattern;
    private readonly string? _prefix; // the pattern without its trailing " *", which also matches alone

    private HoldRule(string tool, string? pattern)
    {
        _tool = tool;
        if (pattern is not null && pattern.StartsWith("//", StringComparison.Ordinal))
        {
            pattern = pattern[1..]; // Claude Code's absolute path (its "/x" is relative to a settings file; ours is absolute)
        }

        if (pattern is not null && pattern.EndsWith(":*", StringComparison.Ordinal))
        {
            pattern = pattern[..^2] + " *";
        }

        _pattern = pattern;
        _prefix = pattern is not null && pattern.EndsWith(" *", StringComparison.Ordinal) ? pattern[..^2] : null;
    }

    /// <summary>True when the rule names no pattern: it matches every call of its tool.</summary>
    public bool WholeTool => _pattern is null;

    /// <summary>Reads a rule; null with <paramref name="problem"/> saying what is wrong and how to write it.</summary>
    public static HoldRule? Parse(string? text, out string? problem)
    {
        problem = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            problem = "a rule is a tool name, or a tool name and a pattern in parentheses, of 1 to 1,000 characters, such as Bash, Bash(rm *) or mcp__github__*";
            return null;
        }

        var open = text.IndexOf('(');
        var tool = open < 0 ? text : text[..open];
        if (tool.Length == 0 || !tool.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '*'))
        {
            problem = "the tool name (before any parenthesis) must be the agent's tool name as its hooks send it, letters, digits, '_', '-', '.' " +
                "and '*' for any run of them, such as Bash, Write, run_shell_command or mcp__github__*";
            return null;
        }

        if (open < 0)
        {
            return new HoldRule(tool, null);
        }

        var pattern = text[(open + 1)..];
        if (!pattern.EndsWith(')') || pattern.Length < 2)
        {
            problem = "a pattern goes in parentheses after the tool name and is not empty, such as Bash(rm *) or Write(*/.env)";
            return null;
        }

        pattern = pattern[..^1];
        if (pattern.StartsWith("./", StringComparison.Ordinal) || pattern.StartsWith("~/", StringComparison.Ordinal)
            || pattern.StartsWith("domain:", StringComparison.Ordinal))
        {
            problem = "a pattern is matched against the input as the agent sends it, an absolute path or a whole URL, never relative to a folder " +
                "or by domain: write Write(*/.env), Edit(/home/me/project/*) or WebFetch(https://example.com/*)";
            return null;
        }

        return new HoldRule(tool, pattern);
    }

    /// <summary>True when the rule is about <paramref name="tool"/>.</summary>
    public bool Names(string tool) => Glob(_tool, tool);

    /// <summary>True when the rule matches <paramref name="subject"/>, a call's command (or part of one), path, URL or query.</summary>
    public bool Matches(string? subject) =>
        _pattern is null || subject is not null && (Glob(_pattern, subject) || _prefix is not null && subject == _prefix);

    // The same glob as a subscriber token's topic patterns: '*' any run of characters, the rest itself, linear in practice.
    private static bool Glob(string pattern, string text) => Switchboard.Server.Security.TopicPattern.Matches(pattern, text);
}
