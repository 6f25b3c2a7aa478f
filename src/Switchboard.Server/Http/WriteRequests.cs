using System.Text.Json;
using Switchboard.Responses;
using Switchboard.Writes;

namespace Switchboard.Http;

/// <summary>Turns request JSON into writes. The field lists are the API's contract and feed the unknown-field check.</summary>
internal static class WriteRequests
{
    public static readonly string[] CreateFields =
        ["id", "name", "state", "labels", "metadata", "error_message", "input_tokens", "output_tokens", "cost_usd", "tasks_running", "lease_seconds"];

    public static readonly string[] UpdateFields =
        ["state", "name", "labels", "metadata", "error_message", "tasks_running", "lease_seconds", "expected_version"];

    public static readonly string[] UsageFields = ["input_tokens", "output_tokens", "cost_usd"];

    public static readonly string[] TerminateFields = ["reason", "expected_version"];

    public static CreateSession Create(JsonElement body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        var f = new FieldReader(body, known ?? CreateFields, prefix);
        return new CreateSession
        {
            Id = f.String("id"),
            Name = f.NullableString("name").Value,
            State = f.State("state") ?? Sessions.SessionState.Initializing,
            Labels = f.Labels("labels"),
            Metadata = f.JsonObject("metadata"),
            ErrorMessage = f.NullableString("error_message").Value,
            InputTokens = f.Long("input_tokens") ?? 0,
            OutputTokens = f.Long("output_tokens") ?? 0,
            CostUsd = f.Decimal("cost_usd") ?? 0,
            TasksRunning = f.Int("tasks_running") ?? 0,
            LeaseSeconds = f.NullableInt("lease_seconds").Value,
        };
    }

    public static UpdateSession Update(string id, JsonElement body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        var f = new FieldReader(body, known ?? UpdateFields, prefix);
        return new UpdateSession(id)
        {
            State = f.State("state"),
            Name = f.NullableString("name"),
            Labels = f.Labels("labels"),
            Metadata = f.JsonObject("metadata"),
            ErrorMessage = f.NullableString("error_message"),
            TasksRunning = f.Int("tasks_running"),
            LeaseSeconds = f.NullableInt("lease_seconds"),
            ExpectedVersion = f.Long("expected_version"),
        };
    }

    public static AddUsage Usage(string id, JsonElement body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        var f = new FieldReader(body, known ?? UsageFields, prefix);
        return new AddUsage(id)
        {
            InputTokens = f.Long("input_tokens") ?? 0,
            OutputTokens = f.Long("output_tokens") ?? 0,
            CostUsd = f.Decimal("cost_usd") ?? 0,
        };
    }

    public static TerminateSession Terminate(string id, JsonElement? body, string prefix = "", IReadOnlyCollection<string>? known = null)
    {
        if (body is not { } b)
        {
            return new TerminateSession(id);
        }

        var f = new FieldReader(b, known ?? TerminateFields, prefix);
        return new TerminateSession(id) { Reason = f.String("reason"), ExpectedVersion = f.Long("expected_version") };
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
            "update" => Update(Id(), op, prefix, ["op", "id", .. UpdateFields]),
            "usage" => Usage(Id(), op, prefix, ["op", "id", .. UsageFields]),
            "heartbeat" => Heartbeat(Id(), op, prefix),
            "terminate" => Terminate(Id(), op, prefix, ["op", "id", .. TerminateFields]),
            _ => throw RequestException.Field(prefix + "op", $"'{prefix}op' must be one of create, update, usage, heartbeat, terminate."),
        };
    }

    private static Heartbeat Heartbeat(string id, JsonElement op, string prefix)
    {
        _ = new FieldReader(op, ["op", "id"], prefix);
        return new Heartbeat(id);
    }
}
