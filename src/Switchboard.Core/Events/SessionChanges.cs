using System.Text.Json;
using Switchboard.Json;
using Switchboard.Sessions;

namespace Switchboard.Events;

/// <summary>The <c>changes</c> object of <c>session_updated</c>: writes the fields that differ and applies them back.</summary>
public static class SessionChanges
{
    /// <summary>True when any field a client can see differs (version and timestamps aside).</summary>
    public static bool Differ(Session a, Session b) =>
        a.Name != b.Name || a.State != b.State || !LabelsEqual(a.Labels, b.Labels) || a.Metadata != b.Metadata
        || a.ErrorMessage != b.ErrorMessage || a.InputTokens != b.InputTokens || a.OutputTokens != b.OutputTokens
        || a.CostUsd != b.CostUsd || a.TasksRunning != b.TasksRunning || a.LeaseSeconds != b.LeaseSeconds
        || a.TerminatedAt != b.TerminatedAt;

    /// <summary>
    /// When a change moved only usage counters (tokens, cost, tasks running), which of them: a bit each, so two updates
    /// with the same mask carry the same fields and the newer one makes the older redundant. 0 when anything else changed.
    /// </summary>
    public static int UsageOnlyMask(Session before, Session after)
    {
        if (before.Name != after.Name || before.State != after.State || !LabelsEqual(before.Labels, after.Labels)
            || before.Metadata != after.Metadata || before.ErrorMessage != after.ErrorMessage
            || before.LeaseSeconds != after.LeaseSeconds || before.TerminatedAt != after.TerminatedAt)
        {
            return 0;
        }

        return (before.InputTokens != after.InputTokens ? 1 : 0)
            | (before.OutputTokens != after.OutputTokens ? 2 : 0)
            | (before.CostUsd != after.CostUsd ? 4 : 0)
            | (before.TasksRunning != after.TasksRunning ? 8 : 0);
    }

    /// <summary>Writes <c>{field: new value, …}</c> for each changed field, plus <c>updated_at</c>.</summary>
    public static void Write(Utf8JsonWriter w, Session before, Session after)
    {
        w.WriteStartObject();
        if (before.Name != after.Name) w.WriteString("name", after.Name);
        if (before.State != after.State) w.WriteString("state", after.State.ToWire());
        if (!LabelsEqual(before.Labels, after.Labels))
        {
            w.WritePropertyName("labels");
            SessionJson.WriteLabels(w, after.Labels);
        }

        if (before.Metadata != after.Metadata)
        {
            w.WritePropertyName("metadata");
            w.WriteRawValue(after.Metadata, skipInputValidation: true);
        }

        if (before.ErrorMessage != after.ErrorMessage) w.WriteString("error_message", after.ErrorMessage);
        if (before.InputTokens != after.InputTokens) w.WriteNumber("input_tokens", after.InputTokens);
        if (before.OutputTokens != after.OutputTokens) w.WriteNumber("output_tokens", after.OutputTokens);
        if (before.TotalTokens != after.TotalTokens) w.WriteNumber("total_tokens", after.TotalTokens);
        if (before.CostUsd != after.CostUsd) w.WriteNumber("cost_usd", Decimals.Normalize(after.CostUsd));
        if (before.TasksRunning != after.TasksRunning) w.WriteNumber("tasks_running", after.TasksRunning);
        if (before.LeaseSeconds != after.LeaseSeconds) SessionJson.WriteNullableInt(w, "lease_seconds", after.LeaseSeconds);
        if (before.TerminatedAt != after.TerminatedAt)
        {
            w.WritePropertyName("terminated_at");
            WireTime.Write(w, after.TerminatedAt);
        }

        w.WritePropertyName("updated_at");
        WireTime.Write(w, after.UpdatedAt);
        w.WriteEndObject();
    }

    /// <summary>Applies a <c>changes</c> object to <paramref name="before"/>, setting the new version.</summary>
    public static Session Apply(Session before, JsonElement changes, long version)
    {
        var s = before with { Version = version };
        foreach (var p in changes.EnumerateObject())
        {
            var v = p.Value;
            s = p.Name switch
            {
                "name" => s with { Name = v.GetString() },
                "state" => s with { State = SessionJson.ReadState(v) },
                "labels" => s with { Labels = SessionJson.ReadLabels(v) },
                "metadata" => s with { Metadata = v.GetRawText() },
                "error_message" => s with { ErrorMessage = v.GetString() },
                "input_tokens" => s with { InputTokens = v.GetInt64() },
                "output_tokens" => s with { OutputTokens = v.GetInt64() },
                "cost_usd" => s with { CostUsd = v.GetDecimal() },
                "tasks_running" => s with { TasksRunning = v.GetInt32() },
                "lease_seconds" => s with { LeaseSeconds = SessionJson.ReadNullableInt(v) },
                "terminated_at" => s with { TerminatedAt = v.GetString() is { } t ? WireTime.Parse(t) : null },
                "updated_at" => s with { UpdatedAt = WireTime.Parse(v.GetString()!) },
                _ => s, // total_tokens is derived; unknown fields from newer nodes are ignored
            };
        }

        return s;
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

        foreach (var (k, v) in a)
        {
            if (!b.TryGetValue(k, out var other) || other != v)
            {
                return false;
            }
        }

        return true;
    }
}
