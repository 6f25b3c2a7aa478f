namespace Switchboard.Testing.Agents;

/// <summary>
/// The coding agents the hook tests run, unmodified, as <c>npm ci</c> installs them from
/// <c>tests/agents/package-lock.json</c> (the build of a project that imports <c>tests/js/Npm.targets</c> with
/// <c>SwitchboardJsDir</c> set to <c>tests/agents</c> does it). A missing one fails the test that needs it: never a skip.
/// </summary>
public static class AgentClis
{
    /// <summary><c>tests/agents</c>: its package.json pins the three agents.</summary>
    public static string PackageDirectory => Path.Combine(RepoPaths.Root, "tests", "agents");

    /// <summary>
    /// Claude Code (<c>@anthropic-ai/claude-code</c> 2.1.x). Its npm package is a native executable: the package's
    /// postinstall copies the platform build over <c>bin/claude.exe</c>, which is what <c>claude</c> on a PATH runs.
    /// </summary>
    public static string ClaudeCode => Require(
        Path.Combine(PackageDirectory, "node_modules", "@anthropic-ai", "claude-code", "bin", "claude.exe"), nativeBuild: true);

    /// <summary>Codex (<c>@openai/codex</c>): a Node.js launcher that starts the platform's Rust binary.</summary>
    public static string CodexScript => Require(Path.Combine(PackageDirectory, "node_modules", "@openai", "codex", "bin", "codex.js"));

    /// <summary>Gemini CLI (<c>@google/gemini-cli</c>): a Node.js bundle.</summary>
    public static string GeminiScript => Require(
        Path.Combine(PackageDirectory, "node_modules", "@google", "gemini-cli", "bundle", "gemini.js"));

    private static string Require(string path, bool nativeBuild = false)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path} is missing: the build installs the agents with `npm ci` in {PackageDirectory} (tests/js/Npm.targets). " +
                "Build the test project (it needs npm and the registry), or run `npm ci` there.", path);
        }

        // Without its postinstall (npm --ignore-scripts), Claude Code's bin/claude.exe stays a small placeholder.
        if (nativeBuild && new FileInfo(path).Length < 1_000_000)
        {
            throw new InvalidOperationException(
                $"{path} is the package's placeholder, not the native build: its postinstall did not run. Run `npm ci` in {PackageDirectory} with scripts enabled.");
        }

        return path;
    }
}
