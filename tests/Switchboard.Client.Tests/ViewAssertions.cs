using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>Compares a <see cref="LiveSessionView"/> with what the server's HTTP API says, once the view has caught up.</summary>
internal static class ViewAssertions
{
    /// <summary>
    /// Waits until the view has applied everything up to the server's head, then requires its sessions to equal
    /// <c>GET /api/sessions?active=true</c> exactly and its summary to equal <c>GET /api/summary</c>
    /// (<c>duration_seconds</c> aside when sessions are active, since it moves with the clock).
    /// </summary>
    public static async Task ShouldMatchServerAsync(this LiveSessionView view, SwitchboardClient server,
        IReadOnlyDictionary<string, string>? labels = null)
    {
        string? difference = null;
        try
        {
            await TestTimeouts.Eventually(async () =>
            {
                difference = await DifferenceAsync(view, server, labels);
                return difference is null;
            }, "the view to equal the server", TestTimeouts.Long);
        }
        catch (TimeoutException)
        {
            throw new ShouldAssertException("The view never matched the server: " + difference);
        }
    }

    private static async Task<string?> DifferenceAsync(LiveSessionView view, SwitchboardClient server, IReadOnlyDictionary<string, string>? labels)
    {
        var summary = await server.GetSummaryAsync();
        var sessions = await server.ListAllSessionsAsync(new SessionQuery { Active = true, Labels = labels, Limit = 1000 }).ToListAsync();
        var again = await server.GetSummaryAsync();
        if (again.AsOfSeq != summary.AsOfSeq)
        {
            return "the server was still changing";
        }

        if (view.Position?.Seq != summary.AsOfSeq)
        {
            return $"the view is at seq {view.Position?.Seq}, the server at {summary.AsOfSeq}";
        }

        var viewSummary = view.Summary;
        var comparable = summary.ActiveCount == 0 ? summary : summary with { DurationSeconds = 0 };
        var viewComparable = viewSummary is null || summary.ActiveCount == 0 ? viewSummary : viewSummary with { DurationSeconds = 0 };
        if (!comparable.Equals(viewComparable))
        {
            return $"summaries differ: view {viewSummary}, server {summary}";
        }

        var held = view.Sessions;
        var missing = sessions.Where(s => !held.ContainsKey(s.Id)).Select(s => s.Id).ToList();
        var extra = held.Keys.Except(sessions.Select(s => s.Id)).ToList();
        var changed = sessions.Where(s => held.TryGetValue(s.Id, out var h) && !h.Equals(s)).Select(s => $"{s.Id} (view v{held[s.Id].Version}, server v{s.Version})").ToList();
        return missing.Count + extra.Count + changed.Count == 0 ? null
            : $"missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}], different [{string.Join(", ", changed)}]";
    }
}

/// <summary>
/// Watches every item a view applies on the <c>sessions</c> topic: logged events must carry contiguous seqs, except
/// right after an explicit <see cref="SnapshotReset"/>, which restarts the count at the snapshot's seq.
/// </summary>
internal sealed class SeqAudit
{
    private readonly object _lock = new();
    private long? _expected;

    public List<string> Gaps { get; } = [];

    public int Events { get; private set; }

    public int Resets { get; private set; }

    public int ResumeFailures { get; private set; }

    public int Resumes { get; private set; }

    public void OnChanged(object? sender, LiveViewChangedEventArgs change)
    {
        lock (_lock)
        {
            switch (change.Item)
            {
                case SnapshotReset reset:
                    Resets++;
                    ResumeFailures += reset.ResumeRequested ? 1 : 0;
                    _expected = reset.Snapshot.Seq + 1;
                    break;
                case Resumed resumed:
                    Resumes++;
                    if (_expected != resumed.Since + 1)
                    {
                        Gaps.Add($"resumed after {resumed.Since} but the last event seen was {_expected - 1}");
                    }

                    break;
                case SwitchboardEvent { Seq: { } seq }:
                    Events++;
                    if (seq != _expected)
                    {
                        Gaps.Add($"expected seq {_expected}, got {seq}");
                    }

                    _expected = seq + 1;
                    break;
            }
        }
    }
}
