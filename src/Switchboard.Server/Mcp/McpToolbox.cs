using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Switchboard.Server.Options;

namespace Switchboard.Server.Mcp;

/// <summary>
/// Every tool, listed and called: the role a tool needs is checked before it reads its arguments or anything else, an
/// unknown tool or a bad argument is a JSON-RPC error (-32602), and a refusal of what the call asked (a session the key
/// does not see, a state that does not allow it) is a tool result with <c>isError</c> the model can act on.
/// </summary>
internal sealed class McpToolbox
{
    private readonly Dictionary<string, McpTool> _tools;
    private readonly IList<Tool> _definitions;
    private readonly ILogger _logger;

    public McpToolbox(SessionTools sessions, ApprovalTools approvals, CommandTools commands, LogTools logs, WaitTool wait, ILogger<McpToolbox> logger)
    {
        McpTool[] all = [.. sessions.Tools(), .. approvals.Tools(), .. commands.Tools(), .. logs.Tools(), .. wait.Tools()];
        _tools = all.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _definitions = [.. all.Select(t => t.Definition)];
        _logger = logger;
    }

    public ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, CancellationToken ct) =>
        ValueTask.FromResult(new ListToolsResult { Tools = _definitions });

    public async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        var name = request.Params?.Name ?? "";
        if (!_tools.TryGetValue(name, out var tool))
        {
            throw new McpProtocolException($"Unknown tool: '{(name.Length > 64 ? name[..64] + "…" : name)}'. tools/list names the tools: {string.Join(", ", _tools.Keys)}.",
                McpErrorCode.InvalidParams);
        }

        var caller = McpCaller.Of(request.User);
        try
        {
            if (!caller.Allows(tool.Needs))
            {
                throw new McpRefusal("insufficient_role", $"{name} needs an {tool.Needs.ToString().ToLowerInvariant()} key; this key is " +
                    $"{caller.Key!.Role.ToString().ToLowerInvariant()}. Leave it to a person, or ask an operator.");
            }

            var args = new McpArguments(name, request.Params!.Arguments, tool.Arguments);
            return await tool.Run(new McpCall(caller, args, request), ct);
        }
        catch (McpRefusal refusal)
        {
            McpLog.ToolRefused(_logger, name, refusal.Code, caller.Key?.Name ?? "anonymous", refusal.Message);
            return McpJson.Refused(refusal);
        }
    }
}
