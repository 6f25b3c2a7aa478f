using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard mcp install</c>: adds Switchboard's MCP server to each agent's MCP configuration, idempotently, with a
/// backup, keeping the user's other servers and settings; the entry names the key's variable, never a key.
/// </summary>
public sealed class McpInstallTests
{
    [Fact]
    public async Task InstallingTwiceIntoClaudeCodesConfigurationKeepsTheUsersServersAndAddsOursOnce()
    {
        using var home = new TempDirectory();
        var file = Path.Combine(home.Path, ".claude.json");
        const string User = """{"numStartups": 3, "mcpServers": {"github": {"type": "http", "url": "https://api.github.example/mcp"}}}""";
        File.WriteAllText(file, User);

        (await InstallAsync(home.Path, "claude-code", "--url", "http://sb.example:5080")).ShouldContain(file + ".bak");
        var first = File.ReadAllText(file);
        (await InstallAsync(home.Path, "claude-code", "--url", "http://sb.example:5080")).ShouldContain("nothing changed");
        File.ReadAllText(file).ShouldBe(first, "a second install changes nothing");
        File.ReadAllText(file + ".bak").ShouldBe(User);

        var settings = JsonNode.Parse(first)!.AsObject();
        settings["numStartups"]!.GetValue<int>().ShouldBe(3);
        settings["mcpServers"]!["github"]!["url"]!.GetValue<string>().ShouldBe("https://api.github.example/mcp");
        var ours = settings["mcpServers"]!["switchboard"]!;
        ours["type"]!.GetValue<string>().ShouldBe("http");
        ours["url"]!.GetValue<string>().ShouldBe("http://sb.example:5080/mcp");
        ours["headers"]!["Authorization"]!.GetValue<string>().ShouldBe("Bearer ${SWITCHBOARD_API_KEY}");
    }

    [Fact]
    public async Task GeminiCliGetsAStreamableHttpServerAndAnotherVariableReplacesTheEntry()
    {
        using var home = new TempDirectory();
        var file = Path.Combine(home.Path, ".gemini", "settings.json");
        await InstallAsync(home.Path, "gemini-cli");
        await InstallAsync(home.Path, "gemini-cli", "--key-env", "SUPERVISOR_KEY");

        var ours = JsonNode.Parse(File.ReadAllText(file))!["mcpServers"]!["switchboard"]!;
        ours["httpUrl"]!.GetValue<string>().ShouldBe("http://127.0.0.1:5080/mcp");
        ours["headers"]!["Authorization"]!.GetValue<string>().ShouldBe("Bearer ${SUPERVISOR_KEY}");
        File.ReadAllText(file).ShouldNotContain("SWITCHBOARD_API_KEY");
    }

    [Fact]
    public async Task CodexGetsItsTomlTableAndTheRestOfTheFileStaysByteForByte()
    {
        using var home = new TempDirectory();
        var codexHome = Path.Combine(home.Path, "codex");
        Directory.CreateDirectory(codexHome);
        var file = Path.Combine(codexHome, "config.toml");
        const string User = "model = \"gpt-5\"   # mine\n\n[mcp_servers.docs]\ncommand = \"docs-mcp\"\n";
        File.WriteAllText(file, User);

        await InstallAsync(home.Path, new Dictionary<string, string> { ["CODEX_HOME"] = codexHome }, "codex", "--url", "http://sb.example:5080");
        var first = File.ReadAllText(file);
        first.ShouldStartWith(User);
        first.ShouldEndWith("[mcp_servers.switchboard]\nurl = \"http://sb.example:5080/mcp\"\nbearer_token_env_var = \"SWITCHBOARD_API_KEY\"\n");
        (await InstallAsync(home.Path, new Dictionary<string, string> { ["CODEX_HOME"] = codexHome }, "codex", "--url", "http://sb.example:5080"))
            .ShouldContain("nothing changed");
        File.ReadAllText(file).ShouldBe(first);

        await InstallAsync(home.Path, new Dictionary<string, string> { ["CODEX_HOME"] = codexHome }, "codex", "--url", "http://other.example:5080");
        var moved = File.ReadAllText(file);
        moved.ShouldStartWith(User);
        moved.ShouldContain("url = \"http://other.example:5080/mcp\"");
        moved.ShouldNotContain("sb.example");
    }

    [Fact]
    public async Task AFileThatIsNotJsonIsLeftAsItWasWithOneLine()
    {
        using var home = new TempDirectory();
        var file = Path.Combine(home.Path, ".claude.json");
        File.WriteAllText(file, "{not json");
        var (code, process) = await Cli.RunWithAsync(new Dictionary<string, string> { ["HOME"] = home.Path }, ["mcp", "install", "claude-code"]);
        await using (process)
        {
            code.ShouldNotBe(0);
            process.Output.ShouldContain("was left as it was");
        }

        File.ReadAllText(file).ShouldBe("{not json");
    }

    private static Task<string> InstallAsync(string home, params string[] args) => InstallAsync(home, new Dictionary<string, string>(), args);

    private static async Task<string> InstallAsync(string home, Dictionary<string, string> environment, params string[] args)
    {
        environment["HOME"] = home;
        var (code, process) = await Cli.RunWithAsync(environment, ["mcp", "install", .. args]);
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            return process.Output;
        }
    }
}
