using System.Text.Json;

namespace Switchboard.Core.Sessions;

/// <summary>The session's declared shape (shared with the client as linked source; public here, internal there).</summary>
internal static partial class SessionWire;

/// <summary>
/// <see cref="SessionWire"/>'s fields bound to Core's <see cref="Session"/> with typed accessors. Everything that
/// writes, reads, diffs or stores a session walks <see cref="Table"/>. A plain field's binding (and its property) is
/// generated from its row (<c>PlainBindings</c>, Switchboard.Generators); a field with a rule of its own is a row here.
/// </summary>
internal static partial class SessionFields
{
    /// <summary>Metadata: compact JSON text, written raw.</summary>
    public static readonly WireCodec<string> RawJson = new RawJsonCodec();

    /// <summary>Core's <see cref="SessionState"/>.</summary>
    public static readonly WireStateCodec<SessionState> State = new();

    /// <summary>Core's <see cref="SubtreeTotals"/>.</summary>
    public static readonly WireSubtreeCodec<SubtreeTotals> Subtree = new(
        t => new(t.Sessions, t.Active, t.InputTokens, t.OutputTokens, t.CostUsd),
        v => new(v.Sessions, v.Active, v.InputTokens, v.OutputTokens, v.CostUsd));

    /// <summary>Core's list of <see cref="SessionStream"/>.</summary>
    public static readonly WireStreamListCodec<SessionStream> Streams = new(
        s => new(s.Name, s.ContentType, s.Closed),
        v => new(v.Name, v.ContentType, v.Closed));

    /// <summary>The bound table.</summary>
    public static readonly WireTable<Session> Table = new(
    [
        Bind(SessionWire.Id, WireCodecs.Text, s => s.Id, (s, v) => s with { Id = v }),
        Bind(SessionWire.CreatedSeq, WireCodecs.Int64, s => s.CreatedSeq, (s, v) => s with { CreatedSeq = v }),
        Bind(SessionWire.Name, WireCodecs.NullableText, s => s.Name, (s, v) => s with { Name = v }),
        Bind(SessionWire.State, State, s => s.State, (s, v) => s with { State = v }),
        Bind(SessionWire.Labels, WireCodecs.LabelMap, s => s.Labels, (s, v) => s with { Labels = v }),
        Bind(SessionWire.Metadata, RawJson, s => s.Metadata, (s, v) => s with { Metadata = v }),
        Bind(SessionWire.ErrorMessage, WireCodecs.NullableText, s => s.ErrorMessage, (s, v) => s with { ErrorMessage = v }),
        Bind(SessionWire.Activity, WireCodecs.NullableText, s => s.Activity, (s, v) => s with { Activity = v }),
        Bind(SessionWire.InputTokens, WireCodecs.Int64, s => s.InputTokens, (s, v) => s with { InputTokens = v }),
        Bind(SessionWire.OutputTokens, WireCodecs.Int64, s => s.OutputTokens, (s, v) => s with { OutputTokens = v }),
        Bind(SessionWire.TotalTokens, WireCodecs.Int64, s => s.TotalTokens, null),
        Bind(SessionWire.CostUsd, WireCodecs.Decimal, s => s.CostUsd, (s, v) => s with { CostUsd = v }),
        Bind(SessionWire.LeaseSeconds, WireCodecs.NullableInt32, s => s.LeaseSeconds, (s, v) => s with { LeaseSeconds = v }),
        Bind(SessionWire.LeaseExpiresAt, WireCodecs.NullableTime, s => s.LeaseExpiresAt, (s, v) => s with { LeaseExpiresAt = v }),
        Bind(SessionWire.CreatedAt, WireCodecs.Time, s => s.CreatedAt, (s, v) => s with { CreatedAt = v }),
        Bind(SessionWire.UpdatedAt, WireCodecs.Time, s => s.UpdatedAt, (s, v) => s with { UpdatedAt = v }),
        Bind(SessionWire.TerminatedAt, WireCodecs.NullableTime, s => s.TerminatedAt, (s, v) => s with { TerminatedAt = v }),
        Bind(SessionWire.Version, WireCodecs.Int64, s => s.Version, (s, v) => s with { Version = v }),
        Bind(SessionWire.AcceptsCommands, WireCodecs.Bool, s => s.AcceptsCommands, (s, v) => s with { AcceptsCommands = v }),
        Bind(SessionWire.ParentId, WireCodecs.NullableText, s => s.ParentId, (s, v) => s with { ParentId = v }),
        Bind(SessionWire.RootId, WireCodecs.Text, s => s.RootId, (s, v) => s with { RootId = v }),
        Bind(SessionWire.Depth, WireCodecs.Int32, s => s.Depth, (s, v) => s with { Depth = v }),
        Bind(SessionWire.Subtree, Subtree, s => s.Subtree, (s, v) => s with { Subtree = v }),
        Bind(SessionWire.TreePath, WireCodecs.Text, s => s.TreePath, (s, v) => s with { TreePath = v }),
        Bind(SessionWire.Continues, WireCodecs.NullableText, s => s.Continues, (s, v) => s with { Continues = v }),
        Bind(SessionWire.UsageFrom, WireCodecs.NullableText, s => s.UsageFrom, (s, v) => s with { UsageFrom = v }),
        Bind(SessionWire.Streams, Streams, s => s.Streams, (s, v) => s with { Streams = v }),
        .. PlainBindings(),
    ]);

    /// <summary>The store columns, comma-separated in binding order (what <see cref="WriteRow"/> binds and <see cref="ReadRow"/> reads).</summary>
    public static readonly string StoreColumns = string.Join(", ", Table.Stored.SelectMany(b => b.Field.Columns));

    /// <summary>
    /// The columns a row update sets, each with its 1-based position in <see cref="StoreColumns"/> (so a statement bound by
    /// <see cref="WriteRow"/> names them as <c>?position</c>): every stored column but the <see cref="WireFieldUse.Fixed"/>
    /// ones, which change only by a tree move (written apart) and would only rewrite their indexes' entries.
    /// </summary>
    public static readonly (string Column, int Position)[] UpdatedColumns =
    [
        .. Table.Stored.SelectMany(b => b.Field.Columns.Select(column => (Column: column, b.Field)))
            .Select((c, i) => (c.Column, c.Field, Position: i + 1))
            .Where(c => !c.Field.Has(WireFieldUse.Fixed))
            .Select(c => (c.Column, c.Position)),
    ];

    /// <summary>
    /// Binds the stored fields of <paramref name="session"/> by ordinal (0-based, in <see cref="StoreColumns"/> order): every
    /// one, or for a row update (<paramref name="update"/>) the id it is keyed by and the <see cref="UpdatedColumns"/>.
    /// </summary>
    public static void WriteRow(ISessionRowWriter row, Session session, bool update = false)
    {
        var stored = Table.Stored;
        var ordinal = 0;
        for (var i = 0; i < stored.Length; i++)
        {
            var field = stored[i].Field;
            if (!update || field == SessionWire.Id || !field.Has(WireFieldUse.Fixed))
            {
                stored[i].ToColumn(row, ordinal, session);
            }

            ordinal += field.Columns.Length;
        }
    }

    /// <summary>Reads a session from a row selected with <see cref="StoreColumns"/>.</summary>
    public static Session ReadRow(ISessionRowReader row)
    {
        var session = new Session { Id = "" };
        var stored = Table.Stored;
        var ordinal = 0;
        for (var i = 0; i < stored.Length; i++)
        {
            session = stored[i].FromColumn(row, ordinal, session);
            ordinal += stored[i].Field.Columns.Length;
        }

        return session;
    }

    private static WireBinding<Session, T> Bind<T>(WireField field, WireCodec<T> codec, Func<Session, T> get, Func<Session, T, Session>? set) =>
        new(field, codec, get, set);

    private sealed class RawJsonCodec : WireCodec<string>
    {
        public override WireFieldKind Kind => WireFieldKind.JsonObject;
        public override bool Nullable => false;
        public override bool Equal(string a, string b) => string.Equals(a, b);

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string value)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(value, skipInputValidation: true);
        }

        public override string Read(JsonElement e) => e.GetRawText();
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string value) => row.Text(ordinal, column, value);
        public override string FromColumn(ISessionRowReader row, int ordinal) => row.Text(ordinal);
    }
}

/// <summary>A store column of the session row: its name and how it is typed (each store's dialect maps the kind).</summary>
internal readonly record struct StoreColumn(string Name, WireFieldKind Kind, bool Nullable);

/// <summary>Where a store binds a session row's values (ordinal from 0 in <see cref="SessionFields.StoreColumns"/> order, or the column name).</summary>
internal interface ISessionRowWriter
{
    /// <summary>A text column; null for NULL.</summary>
    void Text(int ordinal, string column, string? value);

    /// <summary>A 32-bit integer column; null for NULL.</summary>
    void Int32(int ordinal, string column, int? value);

    /// <summary>A 64-bit integer column.</summary>
    void Int64(int ordinal, string column, long value);

    /// <summary>A decimal column (already normalized).</summary>
    void Decimal(int ordinal, string column, decimal value);

    /// <summary>A timestamp column; null for NULL.</summary>
    void Time(int ordinal, string column, DateTimeOffset? value);

    /// <summary>A boolean column.</summary>
    void Bool(int ordinal, string column, bool value);
}

/// <summary>Where a store reads a session row's values from, by ordinal in <see cref="SessionFields.StoreColumns"/> order.</summary>
internal interface ISessionRowReader
{
    /// <summary>True when the column is NULL.</summary>
    bool IsNull(int ordinal);

    /// <summary>A text column.</summary>
    string Text(int ordinal);

    /// <summary>A 32-bit integer column.</summary>
    int Int32(int ordinal);

    /// <summary>A 64-bit integer column.</summary>
    long Int64(int ordinal);

    /// <summary>A decimal column.</summary>
    decimal Decimal(int ordinal);

    /// <summary>A timestamp column.</summary>
    DateTimeOffset Time(int ordinal);

    /// <summary>A boolean column.</summary>
    bool Bool(int ordinal);
}
