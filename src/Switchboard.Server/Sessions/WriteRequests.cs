using System.Text.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Sessions;

/// <summary>Turns request JSON into writes. The field lists are the API's contract and feed the unknown-field check.</summary>
internal static class WriteRequests
{
    // The session fields each request may set come from SessionWire; the request's own (expected_version, reason) from
    // its record in SessionContracts.
    public static readonly string[] CreateFields = [.. Names(WireFieldUse.Create)];

    public static readonly string[] UpdateFields = [.. Names(WireFieldUse.Update), .. Contracts.Fields<UpdateSessionRequest>()];

    /// <summary>What an update reads: its fields, and <c>parent_id</c>, which it refuses by name.</summary>
    private static readonly string[] UpdateFieldsAndParent = [.. UpdateFields, W.ParentId];

    public static readonly string[] UsageFields = [.. Names(WireFieldUse.AddUsage)];

    public static readonly string[] TerminateFields = Contracts.Fields<TerminateRequest>();

    public static CreateSession Create(JsonElement body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        var f = new FieldReader(body, known ?? CreateFields, prefix);
        return new CreateSession
        {
            Id = f.String(W.Id),
            Name = f.NullableString(W.Name).Value,
            State = f.State(W.State) ?? Switchboard.Core.Sessions.SessionState.Initializing,
            Labels = f.Labels(W.Labels),
            Metadata = f.JsonObject(W.Metadata),
            ErrorMessage = f.NullableString(W.ErrorMessage).Value,
            InputTokens = f.Long(W.InputTokens) ?? 0,
            OutputTokens = f.Long(W.OutputTokens) ?? 0,
            CostUsd = f.Decimal(W.CostUsd) ?? 0,
            LeaseSeconds = f.NullableInt(W.LeaseSeconds).Value,
            AcceptsCommands = f.Bool(W.AcceptsCommands) ?? true,
            ParentId = f.NullableString(W.ParentId).Value,
        }.ReadPlainFields(f);
    }

    public static UpdateSession Update(string id, JsonElement body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        // parent_id is read (so the reader's checks of every name and string come first) only to be refused: a known
        // field that only a create may set. Saying so beats "did you mean".
        var f = new FieldReader(body, known ?? UpdateFieldsAndParent, prefix);
        if (f.Has(W.ParentId))
        {
            throw RequestException.Field(prefix + W.ParentId, Switchboard.Core.Trees.TreeErrors.ParentImmutable().Detail);
        }

        return new UpdateSession(id)
        {
            State = f.State(W.State),
            Name = f.NullableString(W.Name),
            Labels = f.Labels(W.Labels),
            Metadata = f.JsonObject(W.Metadata),
            ErrorMessage = f.NullableString(W.ErrorMessage),
            LeaseSeconds = f.NullableInt(W.LeaseSeconds),
            ExpectedVersion = f.Long("expected_version"),
        }.ReadPlainFields(f);
    }

    public static AddUsage Usage(string id, JsonElement body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        var f = new FieldReader(body, known ?? UsageFields, prefix);
        return new AddUsage(id)
        {
            InputTokens = f.Long(W.InputTokens) ?? 0,
            OutputTokens = f.Long(W.OutputTokens) ?? 0,
            CostUsd = f.Decimal(W.CostUsd) ?? 0,
        };
    }

    public static TerminateSession Terminate(string id, JsonElement? body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        if (body is not { } b)
        {
            return new TerminateSession(id);
        }

        var f = new FieldReader(b, known ?? TerminateFields, prefix);
        return new TerminateSession(id) { Reason = f.String("reason"), ExpectedVersion = f.Long("expected_version"), Cascade = f.Bool("cascade") ?? false };
    }

    /// <summary>One operation of <c>/api/batch</c>: <c>{"op": "create|update|usage|heartbeat|terminate", "id": …, …fields}</c>.</summary>
    public static SessionWrite BatchOperation(JsonElement op, int index)
    {
        var prefix = $"operations[{index}].";
        if (op.ValueKind != JsonValueKind.Object)
        {
            throw RequestException.Field($"operations[{index}]", $"operations[{index}] must be an object with an 'op' field.");
        }

        JsonText.ThrowIfNotText(op, $"operations[{index}]");

        var kind = op.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        string Id()
        {
            return op.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()!
                : throw RequestException.Field(prefix + "id", $"'{prefix}id' is required for '{kind}' and must be a string.");
        }

        return kind switch
        {
            "create" => Create(op, prefix, ["op", .. CreateFields]),
            // A producer's own writes hand it the session's outstanding commands in the result (docs/commands.md).
            "update" => Update(Id(), op, prefix, ["op", "id", .. UpdateFieldsAndParent]) with { DeliversCommands = true },
            "usage" => Usage(Id(), op, prefix, ["op", "id", .. UsageFields]) with { DeliversCommands = true },
            "heartbeat" => Heartbeat(Id(), op, prefix) with { DeliversCommands = true },
            "terminate" => Terminate(Id(), op, prefix, ["op", "id", .. TerminateFields]),
            _ => throw RequestException.Field(prefix + "op", $"'{prefix}op' must be one of create, update, usage, heartbeat, terminate."),
        };
    }

    private static IEnumerable<string> Names(WireFieldUse use) =>
        SessionWire.All.Where(f => f.Name is not null && f.Has(use)).Select(f => f.Name!);

    /// <summary>The wire names of the session fields requests set.</summary>
    private static class W
    {
        public static readonly string Id = SessionWire.Id.Name!;
        public static readonly string Name = SessionWire.Name.Name!;
        public static readonly string State = SessionWire.State.Name!;
        public static readonly string Labels = SessionWire.Labels.Name!;
        public static readonly string Metadata = SessionWire.Metadata.Name!;
        public static readonly string ErrorMessage = SessionWire.ErrorMessage.Name!;
        public static readonly string InputTokens = SessionWire.InputTokens.Name!;
        public static readonly string OutputTokens = SessionWire.OutputTokens.Name!;
        public static readonly string CostUsd = SessionWire.CostUsd.Name!;
        public static readonly string LeaseSeconds = SessionWire.LeaseSeconds.Name!;
        public static readonly string AcceptsCommands = SessionWire.AcceptsCommands.Name!;
        public static readonly string ParentId = SessionWire.ParentId.Name!;
    }

    private static Heartbeat Heartbeat(string id, JsonElement op, string prefix)
    {
        _ = new FieldReader(op, ["op", "id"], prefix);
        return new Heartbeat(id);
    }
}
