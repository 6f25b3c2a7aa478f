using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Switchboard.Core.Approvals;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Options;

namespace Switchboard.Server.Mcp;

/// <summary>
/// <c>list_pending_approvals</c> and <c>answer_approval</c>: the approvals the API lists and answers
/// (<c>/api/sessions/{id}/approvals</c>), each with the session that asks. Answering is an operator's, recorded as
/// <c>mcp:&lt;key name&gt;</c>, and the key that asked still may not answer (docs/approvals.md).
/// </summary>
internal sealed class ApprovalTools(ISessionStore store, IRequestStore<Approval, ApprovalState> approvals, SessionTools sessions, McpWrites writes,
    SwitchboardOptions options, TimeProvider time, ILogger<ApprovalTools> logger)
{
    /// <summary>The most waiting sessions one fleet-wide <c>list_pending_approvals</c> reads.</summary>
    public const int MaxWaitingSessions = 200;

    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("list_pending_approvals",
            "Lists the approvals agents are waiting on, oldest first, each with the session that asks (name, labels, state). " +
            "An approval names the tool and a summary of what it will do (e.g. the shell command). Answer with answer_approval; " +
            "escalate to a person what you are not sure of by leaving it pending.",
            """
            {"type": "object", "additionalProperties": false, "properties": {
              "session_id": {"type": "string", "maxLength": 256, "description": "Only this session's approvals."},
              "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20, "description": "At most this many approvals."}}
            }
            """, ApiKeyRole.Read, ListAsync);
        yield return new McpTool("answer_approval",
            "Answers an agent's pending approval: allow lets the agent's tool run, deny refuses it (the agent reads the note). An approval " +
            "of kind 'question' is answered with decision 'answer' and 'answers' (each question's text to an option's label, several " +
            "labels joined with ', ', or your own text); a 'plan' is approved with allow or sent back with deny and a note. With allow, " +
            "'suggestion' (an index into the approval's suggestions) also keeps that rule so the agent does not ask again; with deny, " +
            "'interrupt' stops the agent's run. Needs an operator key; the answer is recorded as mcp:<your key's name>. An approval " +
            "already answered is 'approval_not_pending', one nobody holds any more 'approval_not_held'.",
            $$$"""
            {"type": "object", "additionalProperties": false, "required": ["session_id", "approval_id", "decision"], "properties": {
              "session_id": {"type": "string", "maxLength": 256, "description": "The session that asks."},
              "approval_id": {"type": "string", "maxLength": 64, "description": "The approval's id (apr_…)."},
              "decision": {"type": "string", "enum": ["allow", "deny", "answer"], "description": "allow, deny, or answer (a question)."},
              "note": {"type": "string", "maxLength": {{{ApprovalLimits.MaxNoteLength}}}, "description": "Why: a denied agent reads it."},
              "answers": {"type": "object", "maxProperties": {{{ApprovalLimits.MaxQuestions}}}, "additionalProperties": {"type": "string", "maxLength": {{{ApprovalLimits.MaxNoteLength}}}},
                "description": "With decision answer: each question's text to its answer."},
              "suggestion": {"type": "integer", "minimum": 0, "maximum": 63, "description": "With allow: the index of the suggestion to keep as a rule."},
              "interrupt": {"type": "boolean", "description": "With deny: also stop the agent's run."}}
            }
            """, ApiKeyRole.Operator, AnswerAsync);
    }

    private async Task<CallToolResult> ListAsync(McpCall call, CancellationToken ct)
    {
        var id = call.Args.String("session_id", 256);
        var limit = call.Args.Int("limit", 1, 50, 20);
        var scope = call.Caller.Scope;
        IReadOnlyList<Session> asking = id is null
            ? (await store.ListSessionsAsync(new SessionQuery
            {
                States = [SessionState.Waiting], Active = true, Labels = scope?.ToDictionary(), Limit = MaxWaitingSessions,
            }, ct)).Sessions
            : [await sessions.RequireAsync(id, scope, ct)];
        var found = new List<(Approval Approval, Session Session)>();
        foreach (var session in asking)
        {
            foreach (var approval in await approvals.ListAsync(session.Id, [ApprovalState.Pending], limit, ct))
            {
                found.Add((approval, session));
            }
        }

        var now = time.GetUtcNow();
        var oldest = found.OrderBy(f => f.Approval.RequestedAt).Take(limit).ToList();
        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("approvals");
            var truncated = false;
            foreach (var (approval, session) in oldest)
            {
                if (w.BytesPending + w.BytesCommitted > McpJson.MaxAnswerBytes)
                {
                    truncated = true;
                    break;
                }

                w.WriteStartObject();
                w.WritePropertyName("approval");
                ApprovalJson.Write(w, approval);
                w.WritePropertyName("session");
                McpJson.WriteBrief(w, session, now);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("more", truncated || found.Count > oldest.Count);
            w.WriteEndObject();
        });
    }

    private async Task<CallToolResult> AnswerAsync(McpCall call, CancellationToken ct)
    {
        var a = call.Args;
        var id = a.String("session_id", 256, required: true)!;
        var approvalId = a.String("approval_id", 64, required: true)!;
        var decision = a.OneOf("decision", ["allow", "deny", "answer"], required: true);
        var note = a.String("note", ApprovalLimits.MaxNoteLength);
        var answers = a.StringMap("answers", ApprovalLimits.MaxQuestions, ApprovalLimits.MaxNoteLength, ApprovalLimits.MaxNoteLength,
            "'answers' must be an object: {\"<question text>\": \"<an option's label, or your own text>\"}",
            $"'answers' takes at most {ApprovalLimits.MaxQuestions} answers, each a string of at most {ApprovalLimits.MaxNoteLength} characters");
        if ((decision == "answer") != (answers is not null))
        {
            throw a.Invalid(decision == "answer" ? "decision 'answer' needs 'answers', one per question" : "'answers' go with decision 'answer' only");
        }

        var suggestion = a.Long("suggestion", 0, 63);
        var interrupt = a.Bool("interrupt");
        if (await sessions.VisibleAsync(id, call.Caller.Scope, ct) is null)
        {
            throw SessionTools.NotFound(id);
        }

        // What depends on the approval (its kind, its questions, how many suggestions) is checked in the write, as for the API.
        var answer = new AnswerApproval(id, approvalId, decision != "deny", note, call.Caller.RecordedAs)
        {
            Answers = answers,
            Suggestion = (int?)suggestion,
            Interrupt = interrupt ?? false,
            AnsweredByKey = call.Caller.Key?.Name,
            AllowSelfAnswer = options.Approvals.AllowSelfAnswer,
        };
        var result = await writes.WriteAsync(answer, call.Caller, ct);
        McpLog.ApprovalAnswered(logger, approvalId, id, call.Caller.RecordedAs, decision!);
        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("approval");
            ApprovalJson.Write(w, result.Approval!);
            w.WriteEndObject();
        });
    }
}
