namespace Switchboard.Server.Mcp;

/// <summary>
/// A tool call refused for what it asked (a session that does not exist for the key, a role it lacks, a state that does
/// not allow it): answered as a tool result with <c>isError</c>, carrying a code and what to do, so the model can act on it.
/// </summary>
internal sealed class McpRefusal(string code, string detail) : Exception(detail)
{
    public string Code { get; } = code;
}
