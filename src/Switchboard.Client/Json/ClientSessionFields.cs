using System.Text.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Client.Json;

/// <summary>
/// <see cref="SessionWire"/>'s wire fields bound to the client's <see cref="Session"/> (store-only fields are not sent).
/// Reading a session or applying <c>changes</c> walks this table, so a field the server adds is read once it is bound here;
/// a plain field is bound by its generated row (<c>PlainBindings</c>, Switchboard.Generators).
/// </summary>
internal static partial class ClientSessionFields
{
    /// <summary>The client's <see cref="SubtreeTotals"/>: a session's <c>subtree</c>, and an event's <c>subtree_delta</c>.</summary>
    public static readonly WireSubtreeCodec<SubtreeTotals> Subtree = new(
        t => new(t.Sessions, t.Active, t.InputTokens, t.OutputTokens, t.CostUsd),
        v => new(v.Sessions, v.Active, v.InputTokens, v.OutputTokens, v.CostUsd));

    /// <summary>The client's list of <see cref="SessionStreamInfo"/>.</summary>
    public static readonly WireStreamListCodec<SessionStreamInfo> Streams = new(
        s => new(s.Name, s.ContentType, s.Closed),
        v => new(v.Name, v.ContentType, v.Closed));

    public static readonly WireTable<Session> Table = new(
    [
        Bind(SessionWire.Id, WireCodecs.Text, s => s.Id, (s, v) => s with { Id = v }),
        Bind(SessionWire.Name, WireCodecs.NullableText, s => s.Name, (s, v) => s with { Name = v }),
        Bind(SessionWire.State, new StateNameCodec(), s => s.StateName, (s, v) => s with { StateName = v }),
        Bind(SessionWire.Labels, WireCodecs.LabelMap, s => s.Labels, (s, v) => s with { Labels = v }),
        Bind(SessionWire.Metadata, new ElementCodec(), s => s.Metadata, (s, v) => s with { Metadata = v }),
        Bind(SessionWire.ErrorMessage, WireCodecs.NullableText, s => s.ErrorMessage, (s, v) => s with { ErrorMessage = v }),
        Bind(SessionWire.Activity, WireCodecs.NullableText, s => s.Activity, (s, v) => s with { Activity = v }),
        Bind(SessionWire.InputTokens, WireCodecs.Int64, s => s.InputTokens, (s, v) => s with { InputTokens = v }),
        Bind(SessionWire.OutputTokens, WireCodecs.Int64, s => s.OutputTokens, (s, v) => s with { OutputTokens = v }),
        Bind(SessionWire.TotalTokens, WireCodecs.Int64, s => s.TotalTokens, null),
        Bind(SessionWire.CostUsd, WireCodecs.Decimal, s => s.CostUsd, (s, v) => s with { CostUsd = v }),
        Bind(SessionWire.LeaseSeconds, WireCodecs.NullableInt32, s => s.LeaseSeconds, (s, v) => s with { LeaseSeconds = v }),
        Bind(SessionWire.CreatedAt, WireCodecs.Time, s => s.CreatedAt, (s, v) => s with { CreatedAt = v }),
        Bind(SessionWire.UpdatedAt, WireCodecs.Time, s => s.UpdatedAt, (s, v) => s with { UpdatedAt = v }),
        Bind(SessionWire.TerminatedAt, WireCodecs.NullableTime, s => s.TerminatedAt, (s, v) => s with { TerminatedAt = v }),
        Bind(SessionWire.Version, WireCodecs.Int64, s => s.Version, (s, v) => s with { Version = v }),
        Bind(SessionWire.AcceptsCommands, WireCodecs.Bool, s => s.AcceptsCommands, (s, v) => s with { AcceptsCommands = v }),
        Bind(SessionWire.ParentId, WireCodecs.NullableText, s => s.ParentId, (s, v) => s with { ParentId = v }),
        Bind(SessionWire.RootId, WireCodecs.Text, s => s.RootId, (s, v) => s with { RootId = v }),
        Bind(SessionWire.Depth, WireCodecs.Int32, s => s.Depth, (s, v) => s with { Depth = v }),
        Bind(SessionWire.Subtree, Subtree, s => s.Subtree, (s, v) => s with { Subtree = v }),
        Bind(SessionWire.Continues, WireCodecs.NullableText, s => s.Continues, (s, v) => s with { Continues = v }),
        Bind(SessionWire.UsageFrom, WireCodecs.NullableText, s => s.UsageFrom, (s, v) => s with { UsageFrom = v }),
        Bind(SessionWire.Streams, Streams, s => s.Streams, (s, v) => s with { Streams = v }),
        .. PlainBindings(),
    ], wireOnly: true);

    private static WireBinding<Session, T> Bind<T>(WireField field, WireCodec<T> codec, Func<Session, T> get, Func<Session, T, Session>? set) =>
        new(field, codec, get, set);

    /// <summary>
    /// A state by its wire name, any name the server sends: a newer server's state reads as <see cref="SessionState.Unknown"/>
    /// with its name kept, where the shared state codec would refuse it and lose the whole session.
    /// </summary>
    private sealed class StateNameCodec : WireCodec<string>
    {
        public override WireFieldKind Kind => WireFieldKind.State;
        public override bool Nullable => false;
        public override bool Equal(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string value) => writer.WriteString(name, value);
        public override string Read(JsonElement e) => e.GetString() ?? throw new FormatException("A session's 'state' is null.");
    }

    /// <summary>Metadata as a <see cref="JsonElement"/>; anything but an object reads as <c>{}</c>.</summary>
    private sealed class ElementCodec : WireCodec<JsonElement>
    {
        public override WireFieldKind Kind => WireFieldKind.JsonObject;
        public override bool Nullable => false;
        public override bool Equal(JsonElement a, JsonElement b) => JsonElement.DeepEquals(a, b);

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, JsonElement value)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }

        public override JsonElement Read(JsonElement e) => e.ValueKind == JsonValueKind.Object ? e.Clone() : WireJson.EmptyObject;
    }
}
