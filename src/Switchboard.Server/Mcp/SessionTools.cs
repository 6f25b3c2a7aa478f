using System.Globalization;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Mcp;

/// <summary>
/// <c>list_sessions</c>, <c>get_session</c> and <c>fleet_summary</c>: the store's sessions and the live loop's totals, read
/// as <c>GET /api/sessions</c>, <c>/api/sessions/{id}</c> and <c>/api/summary</c> read them, inside the key's scope.
/// </summary>
internal sealed class SessionTools(ISessionStore store, LiveReads live, IRequestStore<Approval, ApprovalState> approvals,
    IRequestStore<Command, CommandState> commands, TimeProvider time)
{
    /// <summary>The most sessions one <c>list_sessions</c> call reads from the store to fill its page (text filter, sort by waiting).</summary>
    public const int MaxScanned = 2000;

    private const int ScanPage = 500;

    public static readonly string[] Sorts = ["newest", "waiting_longest"];

    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("list_sessions",
            "Lists the agent sessions you may see, newest first, in pages. Use it to find who is stuck: waiting_only=true with " +
            "sort=waiting_longest lists the sessions blocked on a person, longest first. Each entry is a brief (id, name, state, labels, " +
            "activity, tokens, cost); call get_session for one session's whole record. Pass next_cursor back as cursor for the next page.",
            $$$"""
            {"type": "object", "additionalProperties": false, "properties": {
              "states": {"type": "array", "items": {"type": "string", "enum": [{{{string.Join(", ", SessionWire.StateNames.Select(s => $"\"{s}\""))}}}]},
                "description": "Only sessions in one of these states."},
              "labels": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Only sessions carrying all these labels, e.g. {\"team\": \"red\"}."},
              "text": {"type": "string", "maxLength": 200, "description": "Only sessions whose id, name, activity or error message contains this text (case-insensitive)."},
              "waiting_only": {"type": "boolean", "description": "Only sessions waiting for a person (an approval)."},
              "active": {"type": "boolean", "default": true, "description": "true (default): active sessions only; false: ended ones only."},
              "sort": {"type": "string", "enum": ["newest", "waiting_longest"], "default": "newest", "description": "newest first, or the longest-waiting first."},
              "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20, "description": "Sessions per page."},
              "cursor": {"type": "string", "maxLength": 40, "description": "next_cursor of the previous page."}}
            }
            """, ApiKeyRole.Read, ListAsync);
        yield return new McpTool("get_session",
            "One session's whole record: state, labels, metadata, usage (tokens, cost, its subtree's totals), its children (sub-agents), " +
            "its pending approvals and its outstanding commands. A session that does not exist, or that your key may not see, is 'session_not_found'.",
            """
            {"type": "object", "additionalProperties": false, "required": ["session_id"], "properties": {
              "session_id": {"type": "string", "maxLength": 256, "description": "The session's id (from list_sessions)."},
              "children_limit": {"type": "integer", "minimum": 0, "maximum": 100, "default": 20, "description": "At most this many children, newest first."}}
            }
            """, ApiKeyRole.Read, GetAsync);
        yield return new McpTool("fleet_summary",
            "Counts and totals over the whole fleet: sessions by state (waiting = blocked on a person), tokens, cost, whether the fleet is paused. " +
            "Needs a key without a labels scope.",
            """{"type": "object", "additionalProperties": false, "properties": {}}""", ApiKeyRole.Read, SummaryAsync);
    }

    /// <summary>The session, or null when it does not exist for <paramref name="scope"/> (missing, or outside it): both answer alike.</summary>
    public async Task<Session?> VisibleAsync(string id, LabelFilter? scope, CancellationToken ct) =>
        SessionId.IsValid(id) && await store.GetSessionAsync(id, ct) is { } s && scope?.Matches(s.Labels) != false ? s : null;

    public async Task<Session> RequireAsync(string id, LabelFilter? scope, CancellationToken ct) =>
        await VisibleAsync(id, scope, ct) ?? throw NotFound(id);

    public static McpRefusal NotFound(string id) =>
        new("session_not_found", $"Session '{(id.Length > 64 ? id[..64] + "…" : id)}' does not exist. Find ids with list_sessions.");

    private async Task<CallToolResult> ListAsync(McpCall call, CancellationToken ct)
    {
        var a = call.Args;
        var states = States(a);
        var labels = a.Labels("labels", 32);
        var text = a.String("text", 200);
        var waitingOnly = a.Bool("waiting_only") ?? false;
        var active = a.Bool("active") ?? true;
        var byWaiting = (a.OneOf("sort", Sorts) ?? "newest") == "waiting_longest";
        var limit = a.Int("limit", 1, 100, 20);
        var cursor = Cursor(a.String("cursor", 40));
        if (waitingOnly)
        {
            states = states is null || states.Contains(SessionState.Waiting) ? [SessionState.Waiting] : [];
        }

        if (call.Caller.Scope is { } scope)
        {
            labels = scope.Narrow(labels, out var outside)
                ?? throw new McpRefusal("insufficient_scope", $"The label filter {outside} is outside your key's scope; leave it out.");
        }

        // Read pages until the answer is full or MaxScanned were read; the cursor is the last created_seq read.
        var query = new SessionQuery { States = states, Labels = labels, Active = active, Limit = ScanPage, BeforeCreatedSeq = byWaiting ? null : cursor };
        var found = new List<Session>();
        long? next = null;
        var scanned = 0;
        var asOf = 0L;
        while (states is not { Count: 0 })
        {
            var page = await store.ListSessionsAsync(query, ct);
            asOf = Math.Max(asOf, page.AsOfSeq);
            foreach (var s in page.Sessions)
            {
                scanned++;
                if (Matches(s, text))
                {
                    found.Add(s);
                }

                if (!byWaiting && found.Count == limit)
                {
                    next = page.NextCursor is null && s == page.Sessions[^1] ? null : s.CreatedSeq;
                    break;
                }
            }

            if ((!byWaiting && found.Count == limit) || page.NextCursor is not { } more)
            {
                break;
            }

            if (scanned >= MaxScanned)
            {
                next = byWaiting ? null : more; // a sort by waiting looks at the first MaxScanned only
                break;
            }

            query = query with { BeforeCreatedSeq = more };
        }

        var now = time.GetUtcNow();
        IEnumerable<Session> answer = found;
        if (byWaiting)
        {
            var skip = (int)Math.Min(cursor ?? 0, int.MaxValue);
            var sorted = found.OrderBy(s => s.UpdatedAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
            answer = sorted.Skip(skip).Take(limit);
            next = skip + limit < sorted.Count ? skip + limit : null;
        }

        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("sessions");
            var count = 0;
            foreach (var s in answer)
            {
                if (w.BytesPending + w.BytesCommitted > McpJson.MaxAnswerBytes)
                {
                    next = byWaiting ? (cursor ?? 0) + count : s.CreatedSeq + 1; // go on from this one
                    break;
                }

                McpJson.WriteBrief(w, s, now);
                count++;
            }

            w.WriteEndArray();
            if (next is { } n)
            {
                w.WriteString("next_cursor", n.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("next_cursor");
            }

            w.WriteNumber("as_of_seq", asOf);
            w.WriteEndObject();
        });
    }

    private async Task<CallToolResult> GetAsync(McpCall call, CancellationToken ct)
    {
        var id = call.Args.String("session_id", 256, required: true)!;
        var childrenLimit = call.Args.Int("children_limit", 0, 100, 20);
        var session = await RequireAsync(id, call.Caller.Scope, ct);
        var children = childrenLimit == 0 ? null : await store.ListSessionsAsync(new SessionQuery
        {
            ParentId = id, Limit = childrenLimit, Labels = call.Caller.Scope?.ToDictionary(),
        }, ct);
        var pending = await approvals.ListAsync(id, [ApprovalState.Pending], 20, ct);
        var outstanding = await commands.ListAsync(id, [CommandState.Pending, CommandState.Delivered], 20, ct);
        var now = time.GetUtcNow();
        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("session");
            SessionJson.Write(w, session);
            w.WriteStartArray("children");
            foreach (var child in children?.Sessions ?? [])
            {
                McpJson.WriteBrief(w, child, now);
            }

            w.WriteEndArray();
            w.WriteBoolean("more_children", children?.NextCursor is not null);
            ApprovalJson.WriteList(w, "pending_approvals", pending);
            CommandJson.WriteList(w, "outstanding_commands", outstanding);
            w.WriteEndObject();
        });
    }

    private async Task<CallToolResult> SummaryAsync(McpCall call, CancellationToken ct)
    {
        if (call.Caller.Scope is not null)
        {
            throw new McpRefusal("insufficient_scope", "fleet_summary is about the whole fleet and your key is scoped by labels; use list_sessions.");
        }

        var summary = await live.FleetSummaryAsync().WaitAsync(ct);
        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            summary.WriteFields(w);
            w.WriteEndObject();
        });
    }

    private static List<SessionState>? States(McpArguments a)
    {
        List<SessionState>? states = null;
        foreach (var name in a.Strings("states", SessionWire.StateNames) ?? [])
        {
            SessionStates.TryParse(name, out var state);
            (states ??= []).Add(state);
        }

        return states;
    }

    private static bool Matches(Session s, string? text) => string.IsNullOrEmpty(text)
        || s.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (s.Name?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (s.Activity?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (s.ErrorMessage?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);

    private static long? Cursor(string? text) =>
        text is null ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new ModelContextProtocol.McpProtocolException("Invalid arguments for list_sessions: 'cursor' must be a next_cursor value from a previous page.",
            ModelContextProtocol.McpErrorCode.InvalidParams);
}
