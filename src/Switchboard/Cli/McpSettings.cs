using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// The MCP server entry <c>switchboard mcp install</c> writes for each agent (docs/mcp.md, "Setup"), under the name
/// <see cref="Name"/>, and its merge into the agent's own configuration: every other server and setting is kept. The entry
/// names the variable that holds the key, in each agent's own syntax for reading one, never the key.
/// </summary>
internal sealed record McpSettings(string Agent)
{
    /// <summary>The server's name in the agent's configuration.</summary>
    public const string Name = "switchboard";

    /// <summary>Claude Code: <c>~/.claude.json</c>'s user-level <c>mcpServers</c>, an HTTP server whose header it expands (<c>${VAR}</c>).</summary>
    public static readonly McpSettings ClaudeCode = new("claude-code");

    /// <summary>Codex: <c>$CODEX_HOME/config.toml</c>'s <c>[mcp_servers.switchboard]</c>, with <c>bearer_token_env_var</c>.</summary>
    public static readonly McpSettings Codex = new("codex");

    /// <summary>Gemini CLI: <c>~/.gemini/settings.json</c>'s <c>mcpServers</c>, a Streamable HTTP server (<c>httpUrl</c>) whose header it expands.</summary>
    public static readonly McpSettings GeminiCli = new("gemini-cli");

    public static readonly McpSettings[] All = [ClaudeCode, Codex, GeminiCli];

    public bool IsToml => this == Codex;

    public string DefaultPath(string home) => Agent switch
    {
        "claude-code" => Path.Combine(home, ".claude.json"),
        "codex" => Path.Combine(Environment.GetEnvironmentVariable("CODEX_HOME") is { Length: > 0 } codexHome ? codexHome : Path.Combine(home, ".codex"), "config.toml"),
        _ => Path.Combine(home, ".gemini", "settings.json"),
    };

    public static Uri Endpoint(Uri server) => new(server, server.AbsolutePath.TrimEnd('/') + "/mcp");

    /// <summary>The JSON entry (Claude Code, Gemini CLI).</summary>
    public JsonObject Entry(Uri server, string keyEnv) => this == ClaudeCode
        ? new() { ["type"] = "http", ["url"] = Endpoint(server).ToString(), ["headers"] = new JsonObject { ["Authorization"] = $"Bearer ${{{keyEnv}}}" } }
        : new() { ["httpUrl"] = Endpoint(server).ToString(), ["headers"] = new JsonObject { ["Authorization"] = $"Bearer ${{{keyEnv}}}" } };

    /// <summary>The TOML table (Codex).</summary>
    public static string Table(Uri server, string keyEnv) =>
        $"[mcp_servers.{Name}]\nurl = \"{Endpoint(server)}\"\nbearer_token_env_var = \"{keyEnv}\"\n";

    /// <summary><paramref name="settings"/> with the entry set (null: it is already exactly there).</summary>
    public JsonObject? Merge(JsonObject settings, Uri server, string keyEnv)
    {
        var entry = Entry(server, keyEnv);
        if (settings["mcpServers"] is not JsonObject servers)
        {
            if (settings["mcpServers"] is not null)
            {
                throw new InvalidDataException("its \"mcpServers\" is not an object");
            }

            settings["mcpServers"] = servers = [];
        }

        if (servers[Name] is JsonNode existing && JsonNode.DeepEquals(existing, entry))
        {
            return null;
        }

        servers[Name] = entry;
        return settings;
    }

    /// <summary>
    /// <paramref name="toml"/> with the <c>[mcp_servers.switchboard]</c> table replaced or added (null: already exactly
    /// there). Only that table's lines change; every other line, comment and table stays byte for byte.
    /// </summary>
    public static string? MergeToml(string? toml, Uri server, string keyEnv)
    {
        var table = Table(server, keyEnv);
        var lines = (toml ?? "").Replace("\r\n", "\n").Split('\n').ToList();
        var header = $"[mcp_servers.{Name}]";
        var start = lines.FindIndex(l => l.Trim() == header);
        if (start < 0)
        {
            var text = toml ?? "";
            return text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + (text.Trim().Length == 0 ? "" : "\n") + table;
        }

        var end = start + 1;
        while (end < lines.Count && !lines[end].TrimStart().StartsWith('['))
        {
            end++;
        }

        // The table's own lines, up to the next table (blank lines before it stay where they are).
        var last = end;
        while (last > start + 1 && lines[last - 1].Trim().Length == 0)
        {
            last--;
        }

        var current = string.Join('\n', lines.Skip(start).Take(last - start)) + "\n";
        if (current == table)
        {
            return null;
        }

        lines.RemoveRange(start, last - start);
        lines.InsertRange(start, table.TrimEnd('\n').Split('\n'));
        return string.Join('\n', lines);
    }
}
