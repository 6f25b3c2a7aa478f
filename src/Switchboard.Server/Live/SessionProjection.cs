using System.Buffers;
using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;

namespace Switchboard.Server.Live;

/// <summary>
/// The node's in-memory view of the log head: every active session, totals over all sessions, the fleet
/// flag and the busy period. Owned by the live loop and changed only there, one event at a time in <c>seq</c>
/// order, so a snapshot the loop takes is exactly the state at <see cref="HeadSeq"/>.
/// </summary>
internal sealed partial class SessionProjection
{
    private readonly Dictionary<string, Session> _active = new(StringComparer.Ordinal);
    // Newest first, so a snapshot page is read lazily from the front instead of copying every active session.
    private readonly SortedDictionary<long, Session> _byCreated = new(Comparer<long>.Create((a, b) => b.CompareTo(a)));
    private readonly Dictionary<string, Switchboard.Core.Alerts.Alert> _openAlerts = new(StringComparer.Ordinal);
    private readonly long[] _counts = new long[SessionStates.All.Count];
    private long _summedTasks;
    private Int128 _inputTokens;
    private Int128 _outputTokens;
    private decimal _costUsd;
    private readonly ArrayBufferWriter<byte> _encoding = new(1024);
    private Utf8JsonWriter? _encodingWriter;

    public string Epoch { get; private set; } = "";

    public long HeadSeq { get; private set; }

    public bool FleetPaused { get; private set; }

    /// <summary>When the current busy period (some session active) began; null while idle.</summary>
    public DateTimeOffset? BusySince { get; private set; }

    public int ActiveCount => _active.Count;

    /// <summary>The commands outstanding at the state last loaded, for the <see cref="OpenRequestsHandler"/> to start from.</summary>
    public IReadOnlyList<Switchboard.Core.Commands.Command> LoadedCommands { get; private set; } = [];

    /// <summary>The approvals pending at the state last loaded, for the <see cref="OpenRequestsHandler"/> to start from.</summary>
    public IReadOnlyList<Switchboard.Core.Approvals.Approval> LoadedApprovals { get; private set; } = [];

    public void Load(StoreState state)
    {
        LoadedCommands = state.OutstandingCommands;
        LoadedApprovals = state.PendingApprovals;
        Epoch = state.Epoch;
        HeadSeq = state.HeadSeq;
        FleetPaused = state.FleetPaused;
        _active.Clear();
        _byCreated.Clear();
        _openAlerts.Clear();
        foreach (var a in state.OpenAlerts)
        {
            _openAlerts[a.Id] = a;
        }

        _summedTasks = 0;
        foreach (var s in state.ActiveSessions)
        {
            Track(s);
        }

        Array.Clear(_counts);
        foreach (var (st, n) in state.Totals.Counts)
        {
            _counts[(int)st] = n;
        }

        _inputTokens = state.Totals.InputTokens;
        _outputTokens = state.Totals.OutputTokens;
        _costUsd = state.Totals.CostUsd;
        // After a restart the best estimate of the busy period is the oldest session still active.
        BusySince = state.ActiveSessions.Count > 0 ? state.ActiveSessions.Min(s => s.CreatedAt) : null;
    }

    public Session? Get(string id) => _active.GetValueOrDefault(id);

    /// <summary>Every active session, in no particular order.</summary>
    public IEnumerable<Session> ActiveSessions => _active.Values;

    /// <summary>Applies one committed event and returns the session before and after it (null where none).</summary>
    public (Session? Before, Session? After) Apply(EventRecord e)
    {
        HeadSeq = e.Seq;
        _rolledUp.Clear();
        if (e.Type == EventTypes.FleetUpdated)
        {
            FleetPaused = SessionEventApplier.ReadFleetPaused(e);
            return (null, null);
        }

        if (EventTypes.IsAlert(e.Type))
        {
            ApplyAlert(e);
            return (null, null);
        }

        if (EventTypes.IsCommand(e.Type) || EventTypes.IsApproval(e.Type))
        {
            return (null, null); // neither changes a session here (their own state is the OpenRequestsHandler's)
        }

        if (e.SessionId is not { } id)
        {
            return (null, null);
        }

        var before = _active.GetValueOrDefault(id);
        var after = SessionEventApplier.Apply(before, e);
        if (after is null)
        {
            return (before, null);
        }

        if (before is not null)
        {
            Untrack(before);
            _counts[(int)before.State]--;
            _inputTokens -= before.InputTokens;
            _outputTokens -= before.OutputTokens;
            _costUsd -= before.CostUsd;
        }

        _counts[(int)after.State]++;
        _inputTokens += after.InputTokens;
        _outputTokens += after.OutputTokens;
        _costUsd += after.CostUsd;
        if (after.IsActive)
        {
            if (_active.Count == 0)
            {
                BusySince = e.At;
            }

            Track(after);
        }
        else if (_active.Count == 0)
        {
            BusySince = null;
        }

        RollUp(e);
        return (before, after);
    }

    /// <summary>The open alerts, oldest first.</summary>
    public List<Switchboard.Core.Alerts.Alert> OpenAlerts() => [.. _openAlerts.Values.OrderBy(a => a.RaisedSeq)];

    private void ApplyAlert(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        var alert = Switchboard.Core.Alerts.AlertJson.ReadAlert(doc.RootElement.GetProperty("alert"));
        if (alert.IsOpen)
        {
            _openAlerts[alert.Id] = alert;
        }
        else
        {
            _openAlerts.Remove(alert.Id);
        }
    }

    public FleetSummary BuildFleetSummary(DateTimeOffset now)
    {
        var values = FleetSummary.FromCounts(_counts, _summedTasks, _inputTokens, _outputTokens, _costUsd, FleetPaused);
        var duration = BusySince is { } since ? Math.Max(0, (long)(now - since).TotalSeconds) : 0;
        return new FleetSummary(values, duration, HeadSeq);
    }

    /// <summary>
    /// Active sessions, newest first, that match <paramref name="filter"/>, as the JSON array of a snapshot: at most
    /// <paramref name="limit"/> of them and, past the first, at most <paramref name="maxBytes"/> of JSON, so a join reply
    /// always fits a connection's queue. Each session is encoded once, measured and copied into the page.
    /// </summary>
    public SessionPage NewestActive(int limit, LabelFilter? filter, long maxBytes)
    {
        var page = new ArrayBufferWriter<byte>(1024);
        page.Write("["u8);
        var count = 0;
        var more = false;
        long bytes = 0;
        long lastCreated = 0;
        foreach (var s in _byCreated.Values)
        {
            if (filter is not null && !filter.Matches(s.Labels))
            {
                continue;
            }

            if (count == limit)
            {
                more = true;
                break;
            }

            var encoded = Encode(s);
            if (count > 0 && bytes + encoded.Length > maxBytes)
            {
                more = true;
                break;
            }

            if (count > 0)
            {
                page.Write(","u8);
            }

            page.Write(encoded);
            bytes += encoded.Length;
            lastCreated = s.CreatedSeq;
            count++;
        }

        page.Write("]"u8);
        return new SessionPage(page.WrittenMemory, more && count > 0 ? lastCreated : null);
    }

    private ReadOnlySpan<byte> Encode(Session s)
    {
        _encoding.ResetWrittenCount();
        var w = _encodingWriter ??= new Utf8JsonWriter(_encoding, new JsonWriterOptions
        {
            SkipValidation = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // as the frame encoder writes
        });
        w.Reset(_encoding);
        SessionJson.Write(w, s);
        w.Flush();
        return _encoding.WrittenSpan;
    }

    private void Track(Session s)
    {
        _active[s.Id] = s;
        _byCreated[s.CreatedSeq] = s;
        _summedTasks += FleetSummary.SummedTasks(s);
    }

    private void Untrack(Session s)
    {
        _active.Remove(s.Id);
        _byCreated.Remove(s.CreatedSeq);
        _summedTasks -= FleetSummary.SummedTasks(s);
    }
}
