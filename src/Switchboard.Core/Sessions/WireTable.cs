using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>
/// A side's table of bindings and the lists walked by the writers, checked against <see cref="SessionWire.All"/>: every field
/// bound exactly once, so a field declared but not bound fails the first use (and the descriptor tests).
/// </summary>
internal sealed class WireTable<TSession> where TSession : class
{
    private readonly Dictionary<string, WireBinding<TSession>> _byName = new(StringComparer.Ordinal);

    /// <summary>Builds the table; <paramref name="bindings"/> may be in any order and may leave out store-only fields when <paramref name="wireOnly"/>.</summary>
    public WireTable(IEnumerable<WireBinding<TSession>> bindings, bool wireOnly = false)
    {
        var byField = new Dictionary<WireField, WireBinding<TSession>>();
        foreach (var b in bindings)
        {
            if (!byField.TryAdd(b.Field, b))
            {
                throw new InvalidOperationException($"Session field '{b.Field}' is bound twice.");
            }
        }

        var ordered = new List<WireBinding<TSession>>();
        foreach (var f in SessionWire.All)
        {
            if (byField.TryGetValue(f, out var b))
            {
                ordered.Add(b);
            }
            else if (!wireOnly || f.Name is not null)
            {
                throw new InvalidOperationException($"Session field '{f}' is declared in SessionWire but not bound for {typeof(TSession).FullName}.");
            }
        }

        if (ordered.Count != byField.Count)
        {
            var missing = byField.Keys.First(f => !SessionWire.All.Contains(f));
            throw new InvalidOperationException($"Session field '{missing}' is bound for {typeof(TSession).FullName} but not listed in SessionWire.All.");
        }

        All = [.. ordered];
        Response = [.. ordered.Where(b => b.Field.Has(WireFieldUse.Response))];
        Changes = [.. ordered.Where(b => b.Field.Has(WireFieldUse.Changes))];
        Stamps = [.. ordered.Where(b => b.Field.Has(WireFieldUse.Stamp))];
        Stored = [.. ordered.Where(b => b.Field.Column is not null)];
        foreach (var b in ordered.Where(b => b.Field.Name is not null))
        {
            _byName[b.Field.Name!] = b;
        }

        var bit = 1;
        UsageBits = new int[Changes.Length];
        for (var i = 0; i < Changes.Length; i++)
        {
            if (Changes[i].Field.Has(WireFieldUse.Usage))
            {
                UsageBits[i] = bit;
                bit <<= 1;
            }
        }
    }

    /// <summary>Every binding, in declaration order.</summary>
    public WireBinding<TSession>[] All { get; }

    /// <summary>The fields of the session object, in wire order.</summary>
    public WireBinding<TSession>[] Response { get; }

    /// <summary>The fields a <c>changes</c> object carries when they changed.</summary>
    public WireBinding<TSession>[] Changes { get; }

    /// <summary>The fields every <c>changes</c> object carries, written last.</summary>
    public WireBinding<TSession>[] Stamps { get; }

    /// <summary>The fields with a store column, in column order.</summary>
    public WireBinding<TSession>[] Stored { get; }

    /// <summary>For each of <see cref="Changes"/>: its bit in a usage-only mask, or 0 when it is not a usage counter.</summary>
    public int[] UsageBits { get; }

    /// <summary>The binding of a wire name.</summary>
    public bool TryGet(string name, out WireBinding<TSession> binding) => _byName.TryGetValue(name, out binding!);

    /// <summary>Applies each known field of a JSON object to <paramref name="session"/>; unknown and derived ones are skipped.</summary>
    public TSession ReadFields(TSession session, JsonElement obj)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (_byName.TryGetValue(p.Name, out var b))
            {
                session = b.Read(session, p.Value);
            }
        }

        return session;
    }

    /// <summary>True when any field a client sees in <c>changes</c> differs.</summary>
    public bool Differ(TSession a, TSession b)
    {
        foreach (var f in Changes)
        {
            if (f.Differs(a, b))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The usage counters that changed, a bit each, when nothing else visible did; 0 otherwise.</summary>
    public int UsageOnlyMask(TSession before, TSession after)
    {
        var mask = 0;
        for (var i = 0; i < Changes.Length; i++)
        {
            var f = Changes[i];
            if (f.Field.Has(WireFieldUse.Derived) || !f.Differs(before, after))
            {
                continue;
            }

            if (UsageBits[i] == 0)
            {
                return 0;
            }

            mask |= UsageBits[i];
        }

        return mask;
    }

    /// <summary>Writes the session object.</summary>
    public void Write(Utf8JsonWriter writer, TSession session)
    {
        writer.WriteStartObject();
        foreach (var f in Response)
        {
            f.Write(writer, session);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes <c>{field: new value, …}</c> for each changed field, then the stamps.</summary>
    public void WriteChanges(Utf8JsonWriter writer, TSession before, TSession after)
    {
        writer.WriteStartObject();
        foreach (var f in Changes)
        {
            if (f.Differs(before, after))
            {
                f.Write(writer, after);
            }
        }

        foreach (var f in Stamps)
        {
            f.Write(writer, after);
        }

        writer.WriteEndObject();
    }
}
