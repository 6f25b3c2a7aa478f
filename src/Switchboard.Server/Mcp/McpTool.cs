using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Switchboard.Server.Options;

namespace Switchboard.Server.Mcp;

/// <summary>One tool call: who made it, its arguments read against the tool's schema, and the request (for progress).</summary>
internal sealed record McpCall(McpCaller Caller, McpArguments Args, RequestContext<CallToolRequestParams> Request);

/// <summary>
/// A tool: its name, the description a model reads, its input schema (JSON Schema, <c>additionalProperties: false</c>),
/// the role it needs and what it does. The schema's properties are the only arguments <see cref="McpArguments"/> takes.
/// </summary>
internal sealed class McpTool
{
    public McpTool(string name, string description, string schema, ApiKeyRole needs, Func<McpCall, CancellationToken, Task<CallToolResult>> run)
    {
        Name = name;
        Needs = needs;
        Run = run;
        var parsed = JsonDocument.Parse(schema).RootElement.Clone();
        Arguments = parsed.TryGetProperty("properties", out var p) ? [.. p.EnumerateObject().Select(x => x.Name)] : [];
        Definition = new Tool
        {
            Name = name,
            Description = description,
            InputSchema = parsed,
            Annotations = new ToolAnnotations
            {
                ReadOnlyHint = needs != ApiKeyRole.Operator,
                DestructiveHint = needs == ApiKeyRole.Operator,
                OpenWorldHint = false,
            },
        };
    }

    public string Name { get; }

    public ApiKeyRole Needs { get; }

    public Func<McpCall, CancellationToken, Task<CallToolResult>> Run { get; }

    public HashSet<string> Arguments { get; }

    public Tool Definition { get; }
}
