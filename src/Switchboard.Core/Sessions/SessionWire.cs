using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Sessions;

// Compiled into Switchboard.Core and, as linked source, into Switchboard.Client (the way ASP.NET Core shares
// src/SignalR/common/Shared): the client must not reference Core, so nothing here names a Core or Client type, and the
// store parts are left out of the client with SWITCHBOARD_CLIENT. Core makes the class public (SessionFields.cs); in the
// client it stays internal.

/// <summary>
/// The session's shape, declared once: each field's wire name, JSON kind, whether it is a usage counter, whether create
/// and update requests may set it, and its store column. The JSON writer and reader, the differ behind
/// <c>session_updated</c>, the request parsers, the stores' column lists and bindings, and the OpenAPI schema all walk
/// this table; each side binds it to its own <c>Session</c> record with typed accessors (Core: <c>SessionFields</c>,
/// client: <c>ClientSessionFields</c>).
/// </summary>
static partial class SessionWire
{
    // Order matters: sessions are written in this order, changes in this order with the stamp last, and store columns
    // are bound by position in this order.
    // ---------------------------------------------------------------------------------- name, kind, nullable, use, column
    public static readonly Field Id = new("id", Kind.Text, false, Use.Response | Use.Create, "id",
        "1–128 characters from [A-Za-z0-9._:-]; generated when a create request leaves it out.");
    public static readonly Field CreatedSeq = new(null, Kind.Int64, false, Use.None, "created_seq",
        "The seq of the session_created event; orders listings.");
    public static readonly Field Name = new("name", Kind.Text, true, Use.Response | Use.Changes | Use.Create | Use.Update, "name",
        "Display name, at most 200 characters; null clears it.");
    public static readonly Field State = new("state", Kind.State, false, Use.Response | Use.Changes | Use.Create | Use.Update, "state",
        "Lifecycle state.");
    public static readonly Field Labels = new("labels", Kind.Labels, false, Use.Response | Use.Changes | Use.Create | Use.Update, "labels",
        "At most 32 string labels; an update replaces them all.");
    public static readonly Field Metadata = new("metadata", Kind.JsonObject, false, Use.Response | Use.Changes | Use.Create | Use.Update, "metadata",
        "A JSON object of at most 16 KiB; an update replaces it.");
    public static readonly Field ErrorMessage = new("error_message", Kind.Text, true, Use.Response | Use.Changes | Use.Create | Use.Update, "error_message",
        "Why the session is in error; null clears it.");
    public static readonly Field InputTokens = new("input_tokens", Kind.Int64, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.AddUsage, "input_tokens",
        "Input tokens used so far (a usage request adds to it).");
    public static readonly Field OutputTokens = new("output_tokens", Kind.Int64, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.AddUsage, "output_tokens",
        "Output tokens used so far (a usage request adds to it).");
    public static readonly Field TotalTokens = new("total_tokens", Kind.Int64, false, Use.Response | Use.Changes | Use.Derived, null,
        "input_tokens + output_tokens.");
    public static readonly Field CostUsd = new("cost_usd", Kind.Decimal, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.AddUsage, "cost_usd",
        "Cost so far in US dollars (a usage request adds to it).");
    public static readonly Field TasksRunning = new("tasks_running", Kind.Int32, false, Use.Response | Use.Changes | Use.Usage | Use.Create | Use.Update, "tasks_running",
        "Tasks currently running in the session (an absolute number).");
    public static readonly Field LeaseSeconds = new("lease_seconds", Kind.Int32, true, Use.Response | Use.Changes | Use.Create | Use.Update, "lease_seconds",
        "Lease length in seconds; any write or heartbeat renews it. Null means no lease.");
    public static readonly Field LeaseExpiresAt = new(null, Kind.Time, true, Use.None, "lease_expires_at",
        "When the lease runs out; heartbeats move it without an event.");
    public static readonly Field CreatedAt = new("created_at", Kind.Time, false, Use.Response, "created_at",
        "Creation time (UTC, milliseconds).");
    public static readonly Field UpdatedAt = new("updated_at", Kind.Time, false, Use.Response | Use.Stamp, "updated_at",
        "Time of the last change.");
    public static readonly Field TerminatedAt = new("terminated_at", Kind.Time, true, Use.Response | Use.Changes, "terminated_at",
        "When the session was terminated, or null.");
    public static readonly Field Version = new("version", Kind.Int64, false, Use.Response, "version",
        "Starts at 1 and goes up by 1 on every change.");

    /// <summary>Every field, in declaration order.</summary>
    public static readonly Field[] All =
    [
        Id, CreatedSeq, Name, State, Labels, Metadata, ErrorMessage, InputTokens, OutputTokens, TotalTokens, CostUsd,
        TasksRunning, LeaseSeconds, LeaseExpiresAt, CreatedAt, UpdatedAt, TerminatedAt, Version,
    ];

    /// <summary>The wire names of the states, indexed by the state enum's value (Core's and the client's agree).</summary>
    public static readonly string[] StateNames = ["initializing", "idle", "working", "paused", "error", "terminating", "terminated"];

    /// <summary>How a field is written on the wire (and so in the OpenAPI schema and in a store column).</summary>
    public enum Kind
    {
        /// <summary>A JSON string; a TEXT column.</summary>
        Text,
        /// <summary>A state name from <see cref="StateNames"/>; a TEXT column.</summary>
        State,
        /// <summary>A JSON object of string values, keys in ordinal order; a TEXT column of that JSON.</summary>
        Labels,
        /// <summary>Any JSON object; a TEXT column of compact JSON.</summary>
        JsonObject,
        /// <summary>A 32-bit JSON integer.</summary>
        Int32,
        /// <summary>A 64-bit JSON integer.</summary>
        Int64,
        /// <summary>A JSON number, trailing zeros removed.</summary>
        Decimal,
        /// <summary>A UTC timestamp string with milliseconds, e.g. 2026-11-21T10:15:00.123Z.</summary>
        Time,
    }

    /// <summary>Where a field takes part.</summary>
    [Flags]
    public enum Use
    {
        /// <summary>Stored only.</summary>
        None = 0,
        /// <summary>Written in the session object.</summary>
        Response = 1,
        /// <summary>In <c>session_updated</c>'s <c>changes</c> when it changed; a change to it is a visible change.</summary>
        Changes = 2,
        /// <summary>In every <c>changes</c> object, written last.</summary>
        Stamp = 4,
        /// <summary>Computed from other fields; never read back.</summary>
        Derived = 8,
        /// <summary>A usage counter: a change to only these is "usage only" (coalescible).</summary>
        Usage = 16,
        /// <summary>A create request may set it.</summary>
        Create = 32,
        /// <summary>An update request may set it.</summary>
        Update = 64,
        /// <summary>A usage request adds to it.</summary>
        AddUsage = 128,
    }

    /// <summary>One field of the session.</summary>
    public sealed class Field
    {
        internal Field(string? name, Kind kind, bool nullable, Use use, string? column, string description)
        {
            Name = name;
            EncodedName = JsonEncodedText.Encode(name ?? column ?? "");
            Kind = kind;
            Nullable = nullable;
            Uses = use;
            Column = column;
            Description = description;
        }

        /// <summary>The snake_case wire name; null for a field that is only stored.</summary>
        public string? Name { get; }

        /// <summary>The wire name, pre-encoded for <see cref="Utf8JsonWriter"/>.</summary>
        public JsonEncodedText EncodedName { get; }

        /// <summary>The JSON kind.</summary>
        public Kind Kind { get; }

        /// <summary>True when null is a value of the field.</summary>
        public bool Nullable { get; }

        /// <summary>Where the field takes part.</summary>
        public Use Uses { get; }

        /// <summary>The store column; null for a derived field.</summary>
        public string? Column { get; }

        /// <summary>What it means, for the API document.</summary>
        public string Description { get; }

        /// <summary>True when every flag of <paramref name="use"/> is set.</summary>
        public bool Has(Use use) => (Uses & use) == use;

        /// <inheritdoc />
        public override string ToString() => Name ?? Column ?? "?";
    }

    /// <summary>Compares two label maps by content.</summary>
    public static bool LabelsEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        if (a is Dictionary<string, string> concrete)
        {
            // The struct enumerator: no boxed enumerator per comparison.
            foreach (var (k, v) in concrete)
            {
                if (!b.TryGetValue(k, out var other) || other != v)
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var other) || other != v)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes a label map as a JSON object, keys in ordinal order.</summary>
    public static void WriteLabels(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> labels)
    {
        writer.WriteStartObject();
        var count = labels.Count;
        if (count > 0)
        {
            // Keys sorted in a pooled array; a Dictionary is walked with its struct enumerator (no boxed enumerator).
            var keys = ArrayPool<string>.Shared.Rent(count);
            var n = 0;
            if (labels is Dictionary<string, string> concrete)
            {
                foreach (var pair in concrete)
                {
                    keys[n++] = pair.Key;
                }
            }
            else
            {
                foreach (var (key, _) in labels)
                {
                    keys[n++] = key;
                }
            }

            if (n > 1)
            {
                Array.Sort(keys, 0, n, StringComparer.Ordinal);
            }

            for (var i = 0; i < n; i++)
            {
                writer.WriteString(keys[i], labels[keys[i]]);
            }

            Array.Clear(keys, 0, n);
            ArrayPool<string>.Shared.Return(keys);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a label map (anything but an object reads as no labels).</summary>
    public static Dictionary<string, string> ReadLabels(JsonElement e)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                labels[p.Name] = p.Value.GetString() ?? "";
            }
        }

        return labels;
    }

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Formats a wire timestamp as UTF-8 into <paramref name="buffer"/> (32 bytes are enough).</summary>
    public static int FormatTime(DateTimeOffset value, Span<byte> buffer)
    {
        value.UtcDateTime.TryFormat(buffer, out var written, TimeFormat, CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>Parses a wire timestamp.</summary>
    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Removes trailing zeros so 1.50 is written as 1.5 and stored text stays canonical.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>
    /// Reads and writes one kind of value, typed so nothing is boxed: JSON on both sides, store columns in Core. A
    /// codec's <see cref="Kind"/> and nullability must match the field it is bound to (checked when the table is built).
    /// </summary>
    public abstract class Codec<T>
    {
        /// <summary>The kind this codec writes.</summary>
        public abstract Kind Kind { get; }

        /// <summary>True when null is a value.</summary>
        public abstract bool Nullable { get; }

        /// <summary>True when both values are the same on the wire.</summary>
        public virtual bool Equal(T a, T b) => EqualityComparer<T>.Default.Equals(a, b);

        /// <summary>Writes <c>"name": value</c>.</summary>
        public abstract void Write(Utf8JsonWriter writer, JsonEncodedText name, T value);

        /// <summary>Reads a value written by <see cref="Write"/>.</summary>
        public abstract T Read(JsonElement e);

#if !SWITCHBOARD_CLIENT
        /// <summary>Binds the value to a store column.</summary>
        public abstract void ToColumn(ISessionRowWriter row, int ordinal, string column, T value);

        /// <summary>Reads the value of a store column.</summary>
        public abstract T FromColumn(ISessionRowReader row, int ordinal);
#endif
    }

    /// <summary>Codecs of the kinds both sides read the same way.</summary>
    public static class Codecs
    {
        /// <summary>A string that is never null.</summary>
        public static readonly Codec<string> Text = new TextCodec();
        /// <summary>A string or null.</summary>
        public static readonly Codec<string?> NullableText = new NullableTextCodec();
        /// <summary>A label map.</summary>
        public static readonly Codec<IReadOnlyDictionary<string, string>> LabelMap = new LabelsCodec();
        /// <summary>A 32-bit integer.</summary>
        public static readonly Codec<int> Int32 = new Int32Codec();
        /// <summary>A 32-bit integer or null.</summary>
        public static readonly Codec<int?> NullableInt32 = new NullableInt32Codec();
        /// <summary>A 64-bit integer.</summary>
        public static readonly Codec<long> Int64 = new Int64Codec();
        /// <summary>A decimal number.</summary>
        public static readonly Codec<decimal> Decimal = new DecimalCodec();
        /// <summary>A timestamp.</summary>
        public static readonly Codec<DateTimeOffset> Time = new TimeCodec();
        /// <summary>A timestamp or null.</summary>
        public static readonly Codec<DateTimeOffset?> NullableTime = new NullableTimeCodec();
    }

    /// <summary>A state enum (Core's or the client's: both follow <see cref="StateNames"/>), written by name.</summary>
    public sealed class StateCodec<TState> : Codec<TState> where TState : struct, Enum
    {
        /// <inheritdoc />
        public override Kind Kind => Kind.State;
        /// <inheritdoc />
        public override bool Nullable => false;

        /// <summary>The wire name of a state.</summary>
        public static string Name(TState state) => StateNames[Unsafe.As<TState, int>(ref state)];

        /// <summary>Parses a wire name (case-sensitive).</summary>
        public static bool TryParse(string? name, out TState state)
        {
            var index = Array.IndexOf(StateNames, name);
            state = Unsafe.As<int, TState>(ref index);
            if (index < 0)
            {
                state = default;
            }

            return index >= 0;
        }

        /// <inheritdoc />
        public override bool Equal(TState a, TState b) => Unsafe.As<TState, int>(ref a) == Unsafe.As<TState, int>(ref b);
        /// <inheritdoc />
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, TState value) => writer.WriteString(name, Name(value));
        /// <inheritdoc />
        public override TState Read(JsonElement e) => Parse(e.GetString());

        private static TState Parse(string? name) =>
            TryParse(name, out var state) ? state : throw new FormatException($"Unknown session state '{name}'.");

#if !SWITCHBOARD_CLIENT
        /// <inheritdoc />
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, TState value) => row.Text(ordinal, column, Name(value));
        /// <inheritdoc />
        public override TState FromColumn(ISessionRowReader row, int ordinal)
        {
            var text = row.Text(ordinal);
            return TryParse(text, out var state) ? state : throw new InvalidDataException($"Unknown state '{text}'.");
        }
#endif
    }

    private sealed class TextCodec : Codec<string>
    {
        public override Kind Kind => Kind.Text;
        public override bool Nullable => false;
        public override bool Equal(string a, string b) => string.Equals(a, b);
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string value) => writer.WriteString(name, value);
        public override string Read(JsonElement e) => e.GetString() ?? throw new FormatException("A string was expected.");
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string value) => row.Text(ordinal, column, value);
        public override string FromColumn(ISessionRowReader row, int ordinal) => row.Text(ordinal);
#endif
    }

    private sealed class NullableTextCodec : Codec<string?>
    {
        public override Kind Kind => Kind.Text;
        public override bool Nullable => true;
        public override bool Equal(string? a, string? b) => string.Equals(a, b);
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string? value) => writer.WriteString(name, value);
        public override string? Read(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string? value) => row.Text(ordinal, column, value);
        public override string? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Text(ordinal);
#endif
    }

    private sealed class LabelsCodec : Codec<IReadOnlyDictionary<string, string>>
    {
        public override Kind Kind => Kind.Labels;
        public override bool Nullable => false;
        public override bool Equal(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => LabelsEqual(a, b);

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyDictionary<string, string> value)
        {
            writer.WritePropertyName(name);
            WriteLabels(writer, value);
        }

        public override IReadOnlyDictionary<string, string> Read(JsonElement e) => ReadLabels(e);
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, IReadOnlyDictionary<string, string> value) =>
            row.Text(ordinal, column, Json.SessionJson.LabelsToText(value));
        public override IReadOnlyDictionary<string, string> FromColumn(ISessionRowReader row, int ordinal) =>
            Json.SessionJson.LabelsFromText(row.Text(ordinal));
#endif
    }

    private sealed class Int32Codec : Codec<int>
    {
        public override Kind Kind => Kind.Int32;
        public override bool Nullable => false;
        public override bool Equal(int a, int b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, int value) => writer.WriteNumber(name, value);
        public override int Read(JsonElement e) => e.GetInt32();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, int value) => row.Int32(ordinal, column, value);
        public override int FromColumn(ISessionRowReader row, int ordinal) => row.Int32(ordinal);
#endif
    }

    private sealed class NullableInt32Codec : Codec<int?>
    {
        public override Kind Kind => Kind.Int32;
        public override bool Nullable => true;
        public override bool Equal(int? a, int? b) => a == b;

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, int? value)
        {
            if (value is { } v)
            {
                writer.WriteNumber(name, v);
            }
            else
            {
                writer.WriteNull(name);
            }
        }

        public override int? Read(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, int? value) => row.Int32(ordinal, column, value);
        public override int? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Int32(ordinal);
#endif
    }

    private sealed class Int64Codec : Codec<long>
    {
        public override Kind Kind => Kind.Int64;
        public override bool Nullable => false;
        public override bool Equal(long a, long b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, long value) => writer.WriteNumber(name, value);
        public override long Read(JsonElement e) => e.GetInt64();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, long value) => row.Int64(ordinal, column, value);
        public override long FromColumn(ISessionRowReader row, int ordinal) => row.Int64(ordinal);
#endif
    }

    private sealed class DecimalCodec : Codec<decimal>
    {
        public override Kind Kind => Kind.Decimal;
        public override bool Nullable => false;
        public override bool Equal(decimal a, decimal b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, decimal value) => writer.WriteNumber(name, Normalize(value));
        public override decimal Read(JsonElement e) => e.GetDecimal();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, decimal value) => row.Decimal(ordinal, column, Normalize(value));
        public override decimal FromColumn(ISessionRowReader row, int ordinal) => Normalize(row.Decimal(ordinal));
#endif
    }

    private sealed class TimeCodec : Codec<DateTimeOffset>
    {
        public override Kind Kind => Kind.Time;
        public override bool Nullable => false;
        public override bool Equal(DateTimeOffset a, DateTimeOffset b) => a == b;

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset value)
        {
            Span<byte> buffer = stackalloc byte[32];
            writer.WriteString(name, buffer[..FormatTime(value, buffer)]);
        }

        public override DateTimeOffset Read(JsonElement e) => ParseTime(e.GetString() ?? throw new FormatException("A timestamp was expected."));
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, DateTimeOffset value) => row.Time(ordinal, column, value);
        public override DateTimeOffset FromColumn(ISessionRowReader row, int ordinal) => row.Time(ordinal);
#endif
    }

    private sealed class NullableTimeCodec : Codec<DateTimeOffset?>
    {
        public override Kind Kind => Kind.Time;
        public override bool Nullable => true;
        public override bool Equal(DateTimeOffset? a, DateTimeOffset? b) => a == b;

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset? value)
        {
            if (value is { } v)
            {
                Span<byte> buffer = stackalloc byte[32];
                writer.WriteString(name, buffer[..FormatTime(v, buffer)]);
            }
            else
            {
                writer.WriteNull(name);
            }
        }

        public override DateTimeOffset? Read(JsonElement e) => e.ValueKind == JsonValueKind.String ? ParseTime(e.GetString()!) : null;
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, DateTimeOffset? value) => row.Time(ordinal, column, value);
        public override DateTimeOffset? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Time(ordinal);
#endif
    }

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
