namespace Switchboard.Server.Mcp.Options;

/// <summary>The MCP server at <c>/mcp</c> (<c>Switchboard:Mcp</c>). See docs/mcp.md.</summary>
public sealed class McpOptions
{
    /// <summary>
    /// Serve <c>/mcp</c>. Unset (the default): on when API keys are configured, and with auth off only to connections on a
    /// loopback address (anyone else gets 404). True serves it wherever the API is served; false maps nothing.
    /// </summary>
    public bool? Enabled { get; set; }
}
