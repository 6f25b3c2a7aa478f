using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>
/// Claude Code as a person runs it: <c>claude PROMPT</c> in a <see cref="TerminalSession"/>, against a
/// <see cref="FakeModelApi"/>, offline as <see cref="ClaudeCodeAgent"/> runs. Its settings are whatever the test put in
/// <c>$HOME/.claude/settings.json</c> (e.g. what <c>switchboard hooks install</c> wrote); only its first-run state is
/// written, so that it starts at its prompt: onboarding done, the working folder trusted, the API key accepted.
/// </summary>
public static class ClaudeCodeTerminal
{
    private const string ApiKey = "sk-ant-test-key";

    /// <summary>Starts <c>claude PROMPT [ARGS]</c> in the sandbox's working directory, in a terminal of 40 x 120.</summary>
    public static TerminalSession Start(AgentSandbox sandbox, FakeModelApi api, string prompt, IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? args = null)
    {
        // Without these it opens on its first-run screens (and checks api.anthropic.com before any of them).
        var state = new JsonObject
        {
            ["hasCompletedOnboarding"] = true,
            ["theme"] = "dark",
            ["customApiKeyResponses"] = new JsonObject { ["approved"] = new JsonArray(ApiKey), ["rejected"] = new JsonArray() },
            ["projects"] = new JsonObject
            {
                [sandbox.WorkDirectory] = new JsonObject { ["hasTrustDialogAccepted"] = true, ["hasCompletedProjectOnboarding"] = true },
            },
        };
        File.WriteAllText(Path.Combine(sandbox.Home, ".claude.json"), state.ToJsonString());
        var all = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["HOME"] = sandbox.Home,
            ["ANTHROPIC_BASE_URL"] = api.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["ANTHROPIC_API_KEY"] = ApiKey,
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
        };
        return TerminalSession.Start(AgentClis.ClaudeCode, [prompt, .. args ?? []], sandbox.WorkDirectory, all);
    }
}
