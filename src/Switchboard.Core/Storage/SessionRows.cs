using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// The session rows one write transaction has read (and locked), each id once, null where no row exists. The unit of
/// work adds ids as it learns them: the writes' targets and parents first, then the continuations their chains may
/// hold, then what the span links brought, the subtrees of cascades and adoptions and every ancestor; each time the new
/// ones in one statement (<see cref="IStoreTransaction.LockSessionsAsync"/>).
/// </summary>
internal sealed class SessionRows(IStoreTransaction transaction)
{
    private readonly Dictionary<string, Session?> _read = new(StringComparer.Ordinal);

    /// <summary>Every row read so far, by id; null where none exists.</summary>
    public IReadOnlyDictionary<string, Session?> Read => _read;

    /// <summary>Reads (and locks) those of <paramref name="ids"/> not read yet, in one statement; none when all were.</summary>
    public async Task LockAsync(IEnumerable<string> ids)
    {
        HashSet<string>? missing = null;
        foreach (var id in ids)
        {
            if (!_read.ContainsKey(id))
            {
                (missing ??= new(StringComparer.Ordinal)).Add(id);
            }
        }

        if (missing is null)
        {
            return;
        }

        var locked = await transaction.LockSessionsAsync(missing);
        foreach (var id in missing)
        {
            _read[id] = locked.GetValueOrDefault(id);
        }
    }

    /// <summary>
    /// Reads what applying <paramref name="writes"/> may change beyond their targets: the sessions the span links brought,
    /// the part of each cascade's subtree that this commit ends, each adopted root's subtree, and every ancestor of all of
    /// them. Returns the writes to apply (an adoption of a subtree too big to move in one commit left out: it stays a root)
    /// and what each cascade ends.
    /// </summary>
    public async Task<(IReadOnlyList<SessionWrite> Writes, IReadOnlyDictionary<string, CascadePlan>? Cascades)> LockTreesAsync(IReadOnlyList<SessionWrite> writes)
    {
        var targets = WriteBatch.TargetIds(writes);
        await LockAsync(targets);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in targets)
        {
            if (_read[id] is { } session)
            {
                paths[id] = session.TreePath;
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, CascadePlan>? cascades = null;
        HashSet<string>? declined = null;
        foreach (var write in writes)
        {
            switch (write)
            {
                case TerminateSession { Cascade: true } t when paths.TryGetValue(t.SessionId, out var top) && !(cascades?.ContainsKey(t.SessionId) ?? false):
                {
                    // Only active descendants, deepest first, and only as many as one commit ends.
                    var below = await transaction.ReadDescendantsAsync(top, activeOnly: true, SwitchboardDefaults.CascadeChunk + 1);
                    var ending = below.Take(SwitchboardDefaults.CascadeChunk).ToList();
                    (cascades ??= new(StringComparer.Ordinal))[t.SessionId] = new CascadePlan([.. ending.Select(d => d.Id)], below.Count <= ending.Count);
                    Add(ending);
                    break;
                }

                case AdoptSession a when paths.TryGetValue(a.SessionId, out var top):
                {
                    var below = await transaction.ReadDescendantsAsync(top, activeOnly: false, SwitchboardDefaults.MaxAdoptedSubtree + 1);
                    if (below.Count > SwitchboardDefaults.MaxAdoptedSubtree)
                    {
                        (declined ??= new(StringComparer.Ordinal)).Add(a.SessionId);
                    }
                    else
                    {
                        Add(below);
                    }

                    break;
                }
            }
        }

        foreach (var path in paths.Values)
        {
            ids.UnionWith(TreePath.Ancestors(path));
        }

        await LockAsync(ids);
        return (declined is null ? writes : [.. writes.Where(w => w is not AdoptSession a || !declined.Contains(a.SessionId))], cascades);

        void Add(IEnumerable<(string Id, string Path)> found)
        {
            foreach (var (id, path) in found)
            {
                ids.Add(id);
                paths[id] = path;
            }
        }
    }
}
