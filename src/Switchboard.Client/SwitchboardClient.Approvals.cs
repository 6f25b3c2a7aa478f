using System.Text.Json;
using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Approvals: ask a person, wait for the answer, answer (docs/approvals.md).</summary>
public sealed partial class SwitchboardClient
{
    private static readonly TimeSpan MaxApprovalPoll = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Asks a person to approve something the session's producer is about to do (<c>POST /api/sessions/{id}/approvals</c>)
    /// and waits for the answer: up to <paramref name="wait"/>, in long-polls of at most a minute; the approval as it is
    /// then (still <see cref="ApprovalState.Pending"/> when <paramref name="wait"/> ran out first). The session is
    /// <c>waiting</c> until it is answered. Not retried after an uncertain failure of the ask (it would ask twice).
    /// </summary>
    /// <exception cref="SwitchboardApiException">Unknown session (404), an ending session (409), a bad field (400), a read key (403).</exception>
    public async Task<Approval> RequestApprovalAsync(string sessionId, string summary, string? tool = null, JsonElement? data = null, TimeSpan? wait = null,
        TimeSpan? expiresIn = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        var started = Options.TimeProvider.GetUtcNow();
        var total = wait ?? TimeSpan.FromMinutes(5);
        var body = WireJson.ApprovalRequestBody(summary, tool, data, expiresIn);
        var approval = await _api.SendAsync(HttpMethod.Post, ApiPaths.Session(sessionId, "/approvals") + ApiPaths.WaitQuery(Slice(total, started)), body, RetryMode.IfNotApplied,
            WireJson.ReadApproval, cancellationToken).ConfigureAwait(false);
        while (approval.State == ApprovalState.Pending && Slice(total, started) > TimeSpan.Zero)
        {
            approval = await GetApprovalAsync(sessionId, approval.Id, Slice(total, started), cancellationToken).ConfigureAwait(false);
        }

        return approval;
    }

    /// <summary>One approval (<c>GET …/approvals/{aid}</c>); with <paramref name="wait"/> (at most a minute), held until it is no longer pending.</summary>
    public Task<Approval> GetApprovalAsync(string sessionId, string approvalId, TimeSpan? wait = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, ApiPaths.Approval(sessionId, approvalId) + (wait is { } w ? ApiPaths.WaitQuery(w < MaxApprovalPoll ? w : MaxApprovalPoll) : ""), null,
            RetryMode.Always, WireJson.ReadApproval, cancellationToken);

    /// <summary>A session's approvals in the order asked, only those in <paramref name="states"/> when any are given.</summary>
    public Task<IReadOnlyList<Approval>> ListApprovalsAsync(string sessionId, IEnumerable<ApprovalState>? states = null, CancellationToken cancellationToken = default)
    {
        var query = states?.ToList() is { Count: > 0 } list ? "?state=" + string.Join(",", list.Select(s => s.ToString().ToLowerInvariant())) : "";
        return _api.SendAsync<IReadOnlyList<Approval>>(HttpMethod.Get, ApiPaths.Session(sessionId, "/approvals") + query, null, RetryMode.Always,
            e => [.. e.GetProperty("approvals").EnumerateArray().Select(WireJson.ReadApproval)], cancellationToken);
    }

    /// <summary>
    /// An operator's answer (<c>POST …/approvals/{aid}</c>). Needs an operator key, other than the one that asked (403
    /// <c>self_answer</c>). The same answer again succeeds with the same result, so it is retried after any failure; an
    /// answer to one no longer pending is a 409 (<c>approval_not_pending</c>, or <c>approval_not_held</c> when it was
    /// withdrawn because nobody holds it any more).
    /// </summary>
    public Task<Approval> AnswerApprovalAsync(string sessionId, string approvalId, bool allow, string? note = null, CancellationToken cancellationToken = default) =>
        AnswerApprovalAsync(sessionId, approvalId, allow ? ApprovalAnswer.Allow(note: note) : ApprovalAnswer.Deny(note), cancellationToken);

    /// <summary>
    /// An operator's answer with everything an answer can say (<c>POST …/approvals/{aid}</c>): an allow that applies one of
    /// <see cref="Approval.Suggestions"/> ("allow always"), a deny with a note the agent reads and that stops it, or the
    /// answers to a <see cref="ApprovalKind.Question"/>. A misuse (an allow of a question, a missing answer, a suggestion
    /// out of range) is a 400 naming the field and changes nothing; otherwise as the overload above.
    /// </summary>
    public Task<Approval> AnswerApprovalAsync(string sessionId, string approvalId, ApprovalAnswer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return _api.SendAsync(HttpMethod.Post, ApiPaths.Approval(sessionId, approvalId), WireJson.ApprovalAnswerBody(answer), RetryMode.Always,
            WireJson.ReadApproval, cancellationToken);
    }

    private TimeSpan Slice(TimeSpan total, DateTimeOffset started)
    {
        var left = total - (Options.TimeProvider.GetUtcNow() - started);
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < MaxApprovalPoll ? left : MaxApprovalPoll;
    }
}
