using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Server.Options;

namespace Switchboard.Server.Mcp;

/// <summary>
/// <c>wait_for</c>: holds the call until a session (or, for <c>waiting</c>, any session the key sees) matches a condition,
/// or the timeout passes, so a supervisor need not poll. Each round arms a waiter with <see cref="McpUpdates"/> before it
/// reads the store, so a change committed between the read and the wait still wakes it; each change that does not yet
/// match (and the first wait, so a caller knows it is armed) is reported as a progress notification when the caller asked
/// for them.
/// </summary>
internal sealed class WaitTool(ISessionStore store, SessionTools sessions, McpUpdates updates, TimeProvider time)
{
    public const int MaxTimeoutSeconds = 300;

    public static readonly string[] Conditions = ["waiting", "ended", "usage_above"];

    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("wait_for",
            "Blocks until a condition holds, then answers with the session that matched, or with matched=false after timeout_seconds. " +
            "waiting: the session (or, without session_id, any session you may see) waits for a person; ended: the session ended; " +
            "usage_above: the session's total tokens or cost passed a figure (give total_tokens or cost_usd). Use it instead of polling.",
            $$$"""
            {"type": "object", "additionalProperties": false, "required": ["condition"], "properties": {
              "condition": {"type": "string", "enum": ["waiting", "ended", "usage_above"], "description": "What to wait for."},
              "session_id": {"type": "string", "maxLength": 256, "description": "The session; required for ended and usage_above."},
              "total_tokens": {"type": "integer", "minimum": 0, "description": "usage_above: input plus output tokens at least this."},
              "cost_usd": {"type": "number", "minimum": 0, "description": "usage_above: cost in US dollars at least this."},
              "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": {{{MaxTimeoutSeconds}}}, "default": 60, "description": "Give up after this long."}}
            }
            """, ApiKeyRole.Read, WaitAsync);
    }

    private async Task<CallToolResult> WaitAsync(McpCall call, CancellationToken ct)
    {
        var a = call.Args;
        var condition = a.OneOf("condition", Conditions, required: true)!;
        var id = a.String("session_id", 256);
        var tokens = a.Long("total_tokens", 0, long.MaxValue);
        var cost = a.Decimal("cost_usd", 0);
        var timeout = TimeSpan.FromSeconds(a.Int("timeout_seconds", 1, MaxTimeoutSeconds, 60));
        if (id is null && condition != "waiting")
        {
            throw a.Invalid($"'session_id' is required for {condition}");
        }

        if (condition == "usage_above" && tokens is null && cost is null)
        {
            throw a.Invalid("usage_above needs 'total_tokens' or 'cost_usd'");
        }

        var started = time.GetTimestamp();
        var progress = call.Request.Params?.ProgressToken;
        var round = 0;
        using var waiter = updates.TryWatch(id, call.Caller.Scope)
            ?? throw new McpRefusal("overloaded", $"{McpUpdates.MaxWaiters} waits already wait on this node, or as many as this key's scope may hold; retry shortly.");
        while (true)
        {
            waiter.Rearm(); // before the read: a change committed after it ends the wait below
            var matched = await MatchAsync(condition, id, tokens, cost, call.Caller, ct);
            if (matched is not null)
            {
                return Answer(true, condition, matched);
            }

            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return Answer(false, condition, id is null ? null : await sessions.VisibleAsync(id, call.Caller.Scope, ct));
            }

            if (progress is { } token)
            {
                await call.Request.Server.NotifyProgressAsync(token, new ProgressNotificationValue
                {
                    Progress = round, Message = $"still waiting for {condition} after {(int)time.GetElapsedTime(started).TotalSeconds}s",
                }, cancellationToken: ct);
            }

            round++;
            await waiter.WaitAsync(left, ct);
        }
    }

    /// <summary>The session that matches now, or null.</summary>
    private async Task<Session?> MatchAsync(string condition, string? id, long? tokens, decimal? cost, McpCaller caller, CancellationToken ct)
    {
        if (id is null)
        {
            var page = await store.ListSessionsAsync(new SessionQuery
            {
                States = [SessionState.Waiting], Active = true, Labels = caller.Scope?.ToDictionary(), Limit = 1,
            }, ct);
            return page.Sessions.Count > 0 ? page.Sessions[0] : null;
        }

        var session = await sessions.RequireAsync(id, caller.Scope, ct);
        var holds = condition switch
        {
            "waiting" => session.State == SessionState.Waiting,
            "ended" => session.State == SessionState.Terminated,
            _ => (tokens is { } t && session.InputTokens + session.OutputTokens >= t) || (cost is { } c && session.CostUsd >= c),
        };
        return holds ? session : null;
    }

    private CallToolResult Answer(bool matched, string condition, Session? session) => McpJson.Result(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("matched", matched);
        w.WriteString("condition", condition);
        if (session is null)
        {
            w.WriteNull("session");
        }
        else
        {
            w.WritePropertyName("session");
            McpJson.WriteBrief(w, session, time.GetUtcNow());
        }

        w.WriteEndObject();
    });
}
