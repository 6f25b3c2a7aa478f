namespace Switchboard.Client;

/// <summary>How each stream item changes the view.</summary>
public sealed partial class LiveSessionView
{
    private async Task<LiveViewChangedEventArgs> ApplyAsync(StreamItem item, CancellationToken cancellationToken)
    {
        var s = _state;
        switch (item)
        {
            case SnapshotReset reset:
                _state = await LoadSnapshotAsync(reset.Snapshot, s.FleetPaused, cancellationToken).ConfigureAwait(false);
                Resets++;
                return new(LiveViewChangeKind.Reset, item, null, null);

            case Resumed:
                Resumes++;
                return new(LiveViewChangeKind.Resumed, item, null, null);

            case SummaryEvent e:
                _state = s with { Summary = e.Summary, FleetPaused = e.Summary.IsPaused };
                return new(LiveViewChangeKind.Summary, item, null, null);

            case FleetUpdatedEvent e:
                _state = s with { FleetPaused = e.IsPaused, Position = e.Position };
                return new(LiveViewChangeKind.Fleet, item, null, null);

            case SessionCreatedEvent e:
                return Put(s, e, e.Session);

            case SessionTerminatedEvent e:
                return Remove(s, e, e.Session.Id);

            case SessionUpdatedEvent e when s.Sessions.TryGetValue(e.SessionId!, out var before):
                if (e.Version <= before.Version)
                {
                    _state = s with { Position = e.Position };
                    return new(LiveViewChangeKind.None, item, e.SessionId, before); // already reflected (fetched after the event)
                }

                return Put(s, e, e.ApplyTo(before));

            case SessionUpdatedEvent { Session: { } whole } e:
                return Put(s, e, whole); // not held, and the event holds it all: moved into the view's subtree

            case SessionUpdatedEvent e when _options.Labels is not null:
                // With a label filter, an update can bring in a session never seen here (its labels now match). It is read
                // as the first node of its subtree page, which says the log position it reflects (for later subtree deltas).
                var page = await _client.GetSubtreeAsync(e.SessionId!, limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
                var fetched = page.Sessions.Count > 0 ? page.Sessions[0] : null;
                if (fetched is not { IsActive: true } || fetched.Version < e.Version)
                {
                    return Skip(s, e);
                }

                var change = Put(s, e, fetched);
                ReadAt(fetched.Id, Math.Max(page.AsOfSeq, e.Seq ?? 0));
                return change;

            case SwitchboardEvent e:
                // An update for a session not held: it became inactive before the pages were read, and its end follows.
                return Skip(s, e);

            default:
                return new(LiveViewChangeKind.None, item, null, null);
        }
    }

    private LiveViewChangedEventArgs Put(State s, SwitchboardEvent e, Session session)
    {
        if (!session.IsActive || !Matches(session))
        {
            return Remove(s, e, session.Id);
        }

        if (s.Sessions.TryGetValue(session.Id, out var held) && held.Version > session.Version)
        {
            _state = s with { Position = e.Position };
            return new(LiveViewChangeKind.None, e, session.Id, held);
        }

        _state = s with { Sessions = s.Sessions.SetItem(session.Id, session), Position = e.Position };
        ReadAt(session.Id, e.Seq ?? 0);
        return new(LiveViewChangeKind.SessionChanged, e, session.Id, session);
    }

    private LiveViewChangedEventArgs Remove(State s, SwitchboardEvent e, string id)
    {
        var removed = s.Sessions.ContainsKey(id);
        _state = s with { Sessions = s.Sessions.Remove(id), Position = e.Position };
        return new(removed ? LiveViewChangeKind.SessionRemoved : LiveViewChangeKind.None, e, id, null);
    }

    private LiveViewChangedEventArgs Skip(State s, SwitchboardEvent e)
    {
        _state = s with { Position = e.Position ?? s.Position };
        return new(LiveViewChangeKind.None, e, e.SessionId, null);
    }

    private bool Matches(Session session) =>
        _options.Labels is not { } filter || filter.All(l => session.Labels.TryGetValue(l.Key, out var v) && v == l.Value);

    /// <summary>
    /// The snapshot's sessions, then every older active session page by page. Events that arrive meanwhile wait in
    /// the subscription's queue and are applied afterwards; pages may already hold newer versions than those events,
    /// which the version checks skip.
    /// </summary>
    private async Task<State> LoadSnapshotAsync(JoinSnapshot snapshot, bool fleetPaused, CancellationToken cancellationToken)
    {
        var sessions = System.Collections.Immutable.ImmutableDictionary.CreateBuilder<string, Session>(StringComparer.Ordinal);
        _asOf.Clear();
        foreach (var session in snapshot.Sessions ?? [])
        {
            sessions[session.Id] = session;
            _asOf[session.Id] = snapshot.Seq;
        }

        var cursor = snapshot.NextCursor;
        while (cursor is not null)
        {
            var page = await _client.ListSessionsAsync(
                new SessionQuery { Active = true, Labels = _options.Labels, Limit = _options.PageSize, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
            foreach (var session in page.Sessions)
            {
                if (!sessions.TryGetValue(session.Id, out var held) || session.Version > held.Version)
                {
                    sessions[session.Id] = session;
                    _asOf[session.Id] = page.AsOfSeq; // its subtree reflects the log up to the page's position
                }
            }

            cursor = page.NextCursor;
        }

        var summary = snapshot.Summary;
        return new State(sessions.ToImmutable(), summary, new StreamPosition(snapshot.Seq, snapshot.Epoch), summary?.IsPaused ?? fleetPaused);
    }
}
