using System.Text.Json.Nodes;

namespace Switchboard.Testing.Agents;

/// <summary>How an agent run ended: its exit code, its standard output, and everything it printed (for messages).</summary>
public sealed record AgentResult(int ExitCode, string Stdout, string Output)
{
    /// <summary>Standard output as JSON (Claude Code's <c>--output-format json</c> result), or null.</summary>
    public JsonNode? Json
    {
        get
        {
            try
            {
                return JsonNode.Parse(Stdout);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }
}
