using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with the rest of SessionWire (see SessionWire.cs).
/// <summary>A side's session record bound to the fields, and the table that writes, reads and diffs through the bindings.</summary>
static partial class SessionWire
{
    /// <summary>One field bound to a side's session record.</summary>
    public abstract class Binding<TSession> where TSession : class
    {
        private protected Binding(Field field) => Field = field;

        /// <summary>The field.</summary>
        public Field Field { get; }

        /// <summary>True when the field's value differs between <paramref name="a"/> and <paramref name="b"/>.</summary>
        public abstract bool Differs(TSession a, TSession b);

        /// <summary>Writes <c>"name": value</c> of <paramref name="session"/>.</summary>
        public abstract void Write(Utf8JsonWriter writer, TSession session);

        /// <summary>Returns <paramref name="session"/> with the field set from JSON (unchanged for a derived field).</summary>
        public abstract TSession Read(TSession session, JsonElement value);

#if !SWITCHBOARD_CLIENT
        /// <summary>Binds the field's value to the store column at <paramref name="ordinal"/>.</summary>
        public abstract void ToColumn(ISessionRowWriter row, int ordinal, TSession session);

        /// <summary>Returns <paramref name="session"/> with the field set from the store column at <paramref name="ordinal"/>.</summary>
        public abstract TSession FromColumn(ISessionRowReader row, int ordinal, TSession session);
#endif

        /// <inheritdoc />
        public override string ToString() => Field.ToString();
    }

    /// <summary>A field bound with typed accessors: no boxing, no reflection, no allocation when diffing or writing.</summary>
    public sealed class Binding<TSession, T> : Binding<TSession> where TSession : class
    {
        private readonly Codec<T> _codec;
        private readonly Func<TSession, T> _get;
        private readonly Func<TSession, T, TSession>? _set;

        /// <summary>Binds <paramref name="field"/>; <paramref name="set"/> is null for a derived field.</summary>
        public Binding(Field field, Codec<T> codec, Func<TSession, T> get, Func<TSession, T, TSession>? set) : base(field)
        {
            if (codec.Kind != field.Kind || codec.Nullable != field.Nullable)
            {
                throw new InvalidOperationException(
                    $"Session field '{field}' is declared {field.Kind}{(field.Nullable ? "?" : "")} but bound with a {codec.Kind}{(codec.Nullable ? "?" : "")} codec.");
            }

            if ((set is null) != field.Has(Use.Derived))
            {
                throw new InvalidOperationException($"Session field '{field}' must have a setter exactly when it is not derived.");
            }

            _codec = codec;
            _get = get;
            _set = set;
        }

        /// <summary>The field's value.</summary>
        public T Get(TSession session) => _get(session);

        /// <inheritdoc />
        public override bool Differs(TSession a, TSession b) => !_codec.Equal(_get(a), _get(b));

        /// <inheritdoc />
        public override void Write(Utf8JsonWriter writer, TSession session) => _codec.Write(writer, Field.EncodedName, _get(session));

        /// <inheritdoc />
        public override TSession Read(TSession session, JsonElement value) => _set is null ? session : _set(session, _codec.Read(value));

#if !SWITCHBOARD_CLIENT
        /// <inheritdoc />
        public override void ToColumn(ISessionRowWriter row, int ordinal, TSession session) =>
            _codec.ToColumn(row, ordinal, Field.Column!, _get(session));

        /// <inheritdoc />
        public override TSession FromColumn(ISessionRowReader row, int ordinal, TSession session) =>
            _set is null ? session : _set(session, _codec.FromColumn(row, ordinal));
#endif
    }

    /// <summary>
    /// A side's table of bindings and the lists walked by the writers, checked against <see cref="All"/>: every field
    /// bound exactly once, so a field declared but not bound fails the first use (and the descriptor tests).
    /// </summary>
    public sealed class Table<TSession> where TSession : class
    {
        private readonly Dictionary<string, Binding<TSession>> _byName = new(StringComparer.Ordinal);

        /// <summary>Builds the table; <paramref name="bindings"/> may be in any order and may leave out store-only fields when <paramref name="wireOnly"/>.</summary>
        public Table(IEnumerable<Binding<TSession>> bindings, bool wireOnly = false)
        {
            var byField = new Dictionary<Field, Binding<TSession>>();
            foreach (var b in bindings)
            {
                if (!byField.TryAdd(b.Field, b))
                {
                    throw new InvalidOperationException($"Session field '{b.Field}' is bound twice.");
                }
            }

            var ordered = new List<Binding<TSession>>();
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
            Response = [.. ordered.Where(b => b.Field.Has(Use.Response))];
            Changes = [.. ordered.Where(b => b.Field.Has(Use.Changes))];
            Stamps = [.. ordered.Where(b => b.Field.Has(Use.Stamp))];
            Stored = [.. ordered.Where(b => b.Field.Column is not null)];
            foreach (var b in ordered.Where(b => b.Field.Name is not null))
            {
                _byName[b.Field.Name!] = b;
            }

            var bit = 1;
            UsageBits = new int[Changes.Length];
            for (var i = 0; i < Changes.Length; i++)
            {
                if (Changes[i].Field.Has(Use.Usage))
                {
                    UsageBits[i] = bit;
                    bit <<= 1;
                }
            }
        }

        /// <summary>Every binding, in declaration order.</summary>
        public Binding<TSession>[] All { get; }

        /// <summary>The fields of the session object, in wire order.</summary>
        public Binding<TSession>[] Response { get; }

        /// <summary>The fields a <c>changes</c> object carries when they changed.</summary>
        public Binding<TSession>[] Changes { get; }

        /// <summary>The fields every <c>changes</c> object carries, written last.</summary>
        public Binding<TSession>[] Stamps { get; }

        /// <summary>The fields with a store column, in column order.</summary>
        public Binding<TSession>[] Stored { get; }

        /// <summary>For each of <see cref="Changes"/>: its bit in a usage-only mask, or 0 when it is not a usage counter.</summary>
        public int[] UsageBits { get; }

        /// <summary>The binding of a wire name.</summary>
        public bool TryGet(string name, out Binding<TSession> binding) => _byName.TryGetValue(name, out binding!);

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
                if (f.Field.Has(Use.Derived) || !f.Differs(before, after))
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
}
