using System.Globalization;
using System.Text.Json;

namespace Switchboard.Client;

/// <summary>
/// Reads the server's snake_case JSON. Unknown fields are ignored and absent optional ones take their defaults,
/// so a newer server can add fields without breaking this client.
/// </summary>
internal static partial class WireJson
{
    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static Session ReadSession(JsonElement e) => new()
    {
        Id = e.GetProperty("id").GetString()!,
        Name = String(e, "name"),
        State = SessionStates.Parse(e.GetProperty("state").GetString()),
        Labels = e.TryGetProperty("labels", out var labels) ? ReadLabels(labels) : new Dictionary<string, string>(StringComparer.Ordinal),
        Metadata = e.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? metadata.Clone() : EmptyObject,
        ErrorMessage = String(e, "error_message"),
        InputTokens = Long(e, "input_tokens"),
        OutputTokens = Long(e, "output_tokens"),
        CostUsd = e.TryGetProperty("cost_usd", out var cost) ? cost.GetDecimal() : 0,
        TasksRunning = (int)Long(e, "tasks_running"),
        LeaseSeconds = e.TryGetProperty("lease_seconds", out var lease) && lease.ValueKind == JsonValueKind.Number ? lease.GetInt32() : null,
        CreatedAt = Time(e, "created_at") ?? default,
        UpdatedAt = Time(e, "updated_at") ?? default,
        TerminatedAt = Time(e, "terminated_at"),
        Version = Long(e, "version"),
    };

    public static Summary ReadSummary(JsonElement e, string? epoch)
    {
        var counts = new Dictionary<SessionState, long>();
        if (e.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in c.EnumerateObject())
            {
                if (SessionStates.TryParse(p.Name, out var state))
                {
                    counts[state] = p.Value.GetInt64();
                }
            }
        }

        return new Summary
        {
            AsOfSeq = Long(e, "as_of_seq"),
            Epoch = String(e, "epoch") ?? epoch,
            ActiveCount = Long(e, "active_count"),
            TotalCount = Long(e, "total_count"),
            Counts = counts,
            TasksRunning = Long(e, "tasks_running"),
            InputTokens = Long(e, "input_tokens"),
            OutputTokens = Long(e, "output_tokens"),
            TotalTokens = Long(e, "total_tokens"),
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
        return type switch
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
                PreviousState = String(data, "previous_state") is { } previous ? SessionStates.Parse(previous) : null,
                State = data.GetProperty("changes").TryGetProperty("state", out var state) ? SessionStates.Parse(state.GetString()) : null,
                Version = Long(data, "version"),
                Reason = String(data, "reason"),
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
                Alert = SwitchboardClient.ReadAlert(alert),
            },
            _ => new UnknownEvent { Seq = seq, Epoch = epoch, Type = type, SessionId = sessionId, At = at, Data = data },
        };
    }

    /// <summary>Applies a <c>changes</c> object to <paramref name="before"/>.</summary>
    public static Session ApplyChanges(Session before, JsonElement changes, long version)
    {
        var s = before with { Version = version };
        foreach (var p in changes.EnumerateObject())
        {
            var v = p.Value;
            s = p.Name switch
            {
                "name" => s with { Name = v.GetString() },
                "state" => s with { State = SessionStates.Parse(v.GetString()) },
                "labels" => s with { Labels = ReadLabels(v) },
                "metadata" => s with { Metadata = v.Clone() },
                "error_message" => s with { ErrorMessage = v.GetString() },
                "input_tokens" => s with { InputTokens = v.GetInt64() },
                "output_tokens" => s with { OutputTokens = v.GetInt64() },
                "cost_usd" => s with { CostUsd = v.GetDecimal() },
                "tasks_running" => s with { TasksRunning = v.GetInt32() },
                "lease_seconds" => s with { LeaseSeconds = v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null },
                "terminated_at" => s with { TerminatedAt = v.ValueKind == JsonValueKind.String ? ParseTime(v.GetString()!) : null },
                "updated_at" => s with { UpdatedAt = ParseTime(v.GetString()!) },
                _ => s, // total_tokens is derived; fields from newer servers are ignored
            };
        }

        return s;
    }

    public static IReadOnlyDictionary<string, string> ReadLabels(JsonElement e)
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

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var other) || other != v)
            {
                return false;
            }
        }

        return true;
    }

    public static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

    public static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? ParseTime(v.GetString()!) : null;

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
