using System.Text.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Client.Json;

/// <summary>
/// Reads the server's snake_case JSON. Unknown fields are ignored and absent optional ones take their defaults,
/// so a newer server can add fields without breaking this client.
/// </summary>
internal static partial class WireJson
{
    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Reads a session: every field <see cref="SessionWire"/> declares, when present.</summary>
    public static Session ReadSession(JsonElement e) =>
        ClientSessionFields.Table.ReadFields(new Session { Id = e.GetProperty(SessionWire.Id.Name!).GetString()! }, e);

    public static Summary ReadSummary(JsonElement e, string? epoch)
    {
        var counts = new Dictionary<SessionState, long>();
        if (e.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in c.EnumerateObject())
            {
                // States this client does not know (a newer server's) are counted together under Unknown.
                var state = SessionStates.FromWire(p.Name);
                counts[state] = counts.GetValueOrDefault(state) + p.Value.GetInt64();
            }
        }

        return new Summary
        {
            AsOfSeq = Long(e, "as_of_seq"),
            Epoch = String(e, "epoch") ?? epoch,
            ActiveCount = Long(e, "active_count"),
            TotalCount = Long(e, "total_count"),
            Counts = counts,
            // Fleet sums of the session fields of the same names.
            TasksRunning = Long(e, SessionWire.TasksRunning.Name!),
            InputTokens = Long(e, SessionWire.InputTokens.Name!),
            OutputTokens = Long(e, SessionWire.OutputTokens.Name!),
            TotalTokens = Long(e, SessionWire.TotalTokens.Name!),
            EstimatedCostUsd = e.TryGetProperty("estimated_cost_usd", out var cost) ? cost.GetDecimal() : 0,
            IsPaused = e.TryGetProperty("is_paused", out var paused) && paused.ValueKind == JsonValueKind.True,
            DurationSeconds = Long(e, "duration_seconds"),
        };
    }

    /// <summary>Reads an envelope into its typed event.</summary>
    public static SwitchboardEvent ReadEvent(JsonElement e)
    {
        var type = e.GetProperty("type").GetString()!;
        var epoch = String(e, "epoch") ?? "";
        var data = e.TryGetProperty("data", out var d) ? d.Clone() : EmptyObject;
        var seq = e.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : (long?)null;
        var sessionId = String(e, "session_id");
        var at = Time(e, "at") ?? default;
        return WithTree(type switch
        {
            "session_created" => new SessionCreatedEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Session = ReadSession(data.GetProperty("session")),
                ActiveCount = Long(data, "active_count"),
            },
            "session_updated" => new SessionUpdatedEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Changes = data.GetProperty("changes"),
                PreviousStateName = String(data, "previous_state"),
                StateName = data.GetProperty("changes").TryGetProperty("state", out var state) ? state.GetString() : null,
                Version = Long(data, "version"),
                Reason = String(data, "reason"),
                Session = data.TryGetProperty("session", out var whole) ? ReadSession(whole) : null,
            },
            "session_terminated" => new SessionTerminatedEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Session = ReadSession(data.GetProperty("session")),
                Reason = String(data, "reason"),
                ActiveCount = Long(data, "active_count"),
            },
            "fleet_updated" => new FleetUpdatedEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                IsPaused = data.TryGetProperty("is_paused", out var p) && p.ValueKind == JsonValueKind.True,
            },
            "summary" => new SummaryEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Summary = ReadSummary(data, epoch),
            },
            "alert_raised" or "alert_resolved" or "alert_acknowledged" when data.TryGetProperty("alert", out var alert) => new AlertEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Alert = ReadAlert(alert),
            },
            "webhooks" when data.TryGetProperty("webhooks", out _) => new WebhooksEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Webhooks = ReadWebhookList(data),
            },
            "command_issued" or "command_delivered" or "command_acknowledged" or "command_expired" or "command_withdrawn"
                when data.TryGetProperty("command", out var command) => new CommandEvent
            {
                Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data,
                Command = ReadCommand(command),
            },
            _ => new UnknownEvent { Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data },
        }, data);
    }

    /// <summary>The ancestors and subtree delta an event of a child carries, when it does.</summary>
    private static SwitchboardEvent WithTree(SwitchboardEvent e, JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("subtree_delta", out var delta) && data.TryGetProperty("ancestors", out var ancestors)
            ? e with { SubtreeDelta = ClientSessionFields.Subtree.Read(delta), Ancestors = [.. ancestors.EnumerateArray().Select(a => a.GetString()!)] }
            : e;

    /// <summary>Applies a <c>changes</c> object to <paramref name="before"/> (derived and unknown fields are skipped).</summary>
    public static Session ApplyChanges(Session before, JsonElement changes, long version) =>
        ClientSessionFields.Table.ReadFields(before with { Version = version }, changes);

    public static IReadOnlyDictionary<string, string> ReadLabels(JsonElement e) => SessionWire.ReadLabels(e);

    public static bool LabelsEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => SessionWire.LabelsEqual(a, b);

    public static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? ParseTime(v.GetString()!) : null;

    public static DateTimeOffset ParseTime(string text) => SessionWire.ParseTime(text);
}
