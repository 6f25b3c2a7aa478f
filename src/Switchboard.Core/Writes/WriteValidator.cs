using System.Text;
using System.Text.Json;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using F = Switchboard.Core.Writes.WireNames;

namespace Switchboard.Core.Writes;

/// <summary>
/// Checks a write against the model's rules before it reaches the store. Rules that depend on the
/// current session (transitions, versions) belong to <see cref="SessionTransitions"/>.
/// </summary>
internal static class WriteValidator
{
    /// <summary>Returns the first rule the write breaks, or null.</summary>
    public static SwitchboardError? Validate(SessionWrite write) => write switch
    {
        CreateSession c => ValidateCreate(c),
        UpdateSession u => ValidateUpdate(u),
        AddUsage a => Id(a.SessionId, "id") ?? NonNegative(F.InputTokens, a.InputTokens) ?? NonNegative(F.OutputTokens, a.OutputTokens)
            ?? Cost(F.CostUsd, a.CostUsd),
        Heartbeat h => Id(h.SessionId, "id"),
        TerminateSession t => Id(t.SessionId, "id") ?? Text("reason", t.Reason, SessionLimits.MaxReasonLength) ?? Version(t.ExpectedVersion),
        ExpireLease e => Id(e.SessionId, "id"),
        ApplyTelemetry t => Id(t.SessionId, "id") ?? Length(F.Name, t.Name, SessionLimits.MaxNameLength) ?? Labels(t.Labels)
            ?? t.Observations.Select(o => NonNegative(F.InputTokens, o.InputTokens) ?? NonNegative(F.OutputTokens, o.OutputTokens)
                ?? Cost(F.CostUsd, o.CostUsd) ?? Length(F.ErrorMessage, o.ErrorMessage, SessionLimits.MaxErrorMessageLength)).FirstOrDefault(e => e is not null),
        ApplyHook h => Id(h.SessionId, "id") ?? (h.ParentId is null ? null : Id(h.ParentId, "parent_id")) ?? Length(F.Name, h.Name, SessionLimits.MaxNameLength)
            ?? Labels(h.Labels) ?? Length("activity", h.Activity.Value, SessionLimits.MaxActivityLength) ?? Length("reason", h.Reason, SessionLimits.MaxReasonLength),
        SetFleetPaused => null,
        RaiseAlert or ResolveAlert => null,
        IssueCommand or AcknowledgeCommand or WithdrawCommand or ExpireCommand or DeliverCommands => CommandWriteProcessor.Validate(write),
        RequestApproval or AnswerApproval or EndApproval => ApprovalWriteProcessor.Validate(write),
        AcknowledgeAlert a => (a.AlertId.Length is 0 or > 64 ? SwitchboardError.InvalidField("id", "An alert id is 1–64 characters.") : null)
            ?? (string.IsNullOrWhiteSpace(a.By) ? SwitchboardError.InvalidField("by", "'by' is required: who acknowledges the alert (a name or an email address).") : null)
            ?? Length("by", a.By, 200) ?? Length("note", a.Note, 2000),
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Unknown write."),
    };

    private static SwitchboardError? ValidateCreate(CreateSession c) =>
        (c.Id is null ? null : Id(c.Id, "id") ?? Reserved(c.Id))
        ?? (c.ParentId is null ? null : Id(c.ParentId, "parent_id"))
        ?? Text(F.Name, c.Name, SessionLimits.MaxNameLength)
        ?? InitialState(c.State)
        ?? Labels(c.Labels)
        ?? Metadata(c.Metadata)
        ?? Text(F.ErrorMessage, c.ErrorMessage, SessionLimits.MaxErrorMessageLength)
        ?? NonNegative(F.InputTokens, c.InputTokens)
        ?? NonNegative(F.OutputTokens, c.OutputTokens)
        ?? TotalFits(c.InputTokens, c.OutputTokens)
        ?? Cost(F.CostUsd, c.CostUsd)
        ?? c.ValidatePlainFields()
        ?? Lease(c.LeaseSeconds);

    private static SwitchboardError? ValidateUpdate(UpdateSession u) =>
        Id(u.SessionId, "id")
        ?? Text(F.Name, u.Name.Value, SessionLimits.MaxNameLength)
        ?? Labels(u.Labels)
        ?? Metadata(u.Metadata)
        ?? Text(F.ErrorMessage, u.ErrorMessage.Value, SessionLimits.MaxErrorMessageLength)
        ?? u.ValidatePlainFields()
        ?? Lease(u.LeaseSeconds.Value)
        ?? Version(u.ExpectedVersion);

    private static SwitchboardError? Id(string id, string field) => SessionId.IsValid(id)
        ? null
        : SwitchboardError.InvalidField(field, $"'{field}' must be {SessionId.Rule}; got {Describe(id)}.");

    /// <summary>
    /// Ids the server makes from telemetry and hooks, and their continuations, are its own: one created ahead of the agent
    /// would take in the agent's events, approvals and commands (<see cref="Switchboard.Core.Storage.TelemetryContinuation"/>).
    /// </summary>
    private static SwitchboardError? Reserved(string id) => id.StartsWith(Switchboard.Core.Storage.TelemetryContinuation.Prefix, StringComparison.Ordinal)
        ? SwitchboardError.InvalidField("id",
            $"'id' begins with '{Switchboard.Core.Storage.TelemetryContinuation.Prefix}', which is reserved for the sessions Switchboard makes from telemetry and hooks. " +
            "Choose an id without that prefix, or leave the id out to have one generated.")
        : null;

    private static SwitchboardError? InitialState(SessionState state) => SessionStateMachine.IsValidInitial(state)
        ? null
        : SwitchboardError.InvalidField("state", $"A session cannot be created in state '{state.ToWire()}'. Create it in any other state, then terminate it.");

    private static SwitchboardError? Length(string field, string? value, int max) => value is not null && value.Length > max
        ? SwitchboardError.InvalidField(field, $"'{field}' is {value.Length} characters long; at most {max} are allowed.")
        : null;

    /// <summary>
    /// <see cref="Length"/>, and no NUL character: PostgreSQL's text holds none (nor does its JSON, which the labels are
    /// indexed as), so one would fail the whole group commit it is in; SQLite is held to the same rule.
    /// </summary>
    private static SwitchboardError? Text(string field, string? value, int max) => Length(field, value, max)
        ?? (value is not null && value.Contains('\0')
            ? SwitchboardError.InvalidField(field, $"'{field}' holds a NUL character (U+0000) at position {value.IndexOf('\0')}, which cannot be stored. Remove it.")
            : null);

    private static SwitchboardError? NonNegative(string field, long value) => value < 0
        ? SwitchboardError.InvalidField(field, $"'{field}' must be zero or positive; got {value}.")
        : null;

    /// <summary>A plain integer field's declared <see cref="WireField.Minimum"/>, checked by the generated request code; null passes.</summary>
    internal static SwitchboardError? Limits(WireField field, long? value) => value is { } v && v < field.Minimum
        ? field.Minimum == 0
            ? NonNegative(field.Name!, v)
            : SwitchboardError.InvalidField(field.Name!, $"'{field.Name}' must be at least {field.Minimum}; got {v}.")
        : null;

    /// <summary>A plain text field's declared <see cref="WireField.MaxLength"/> and the text rules, checked by the generated request code.</summary>
    internal static SwitchboardError? Limits(WireField field, string? value) => Text(field.Name!, value, field.MaxLength ?? int.MaxValue);

    private static SwitchboardError? TotalFits(long input, long output) => input > long.MaxValue - output
        ? SwitchboardError.InvalidField(F.OutputTokens, $"'input_tokens' + 'output_tokens' must fit in a 64-bit integer (at most {long.MaxValue}); got {input} + {output}.")
        : null;

    private static SwitchboardError? Cost(string field, decimal value) => value < 0 || value > SessionLimits.MaxCostUsd
        ? SwitchboardError.InvalidField(field, $"'{field}' must be between 0 and {SessionLimits.MaxCostUsd}; got {value}.")
        : null;

    private static SwitchboardError? Version(long? expected) => SwitchboardError.ExpectedVersionOutOfRange(expected);

    private static SwitchboardError? Lease(int? seconds) => seconds is < 1 or > SessionLimits.MaxLeaseSeconds
        ? SwitchboardError.InvalidField("lease_seconds", $"'lease_seconds' must be between 1 and {SessionLimits.MaxLeaseSeconds}, or null for no lease; got {seconds}.")
        : null;

    private static SwitchboardError? Labels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return null;
        }

        if (labels.Count > SessionLimits.MaxLabels)
        {
            return SwitchboardError.InvalidField("labels", $"'labels' has {labels.Count} entries; at most {SessionLimits.MaxLabels} are allowed.");
        }

        foreach (var (key, value) in labels)
        {
            if (!IsLabelKey(key))
            {
                return SwitchboardError.InvalidField("labels", $"Label key {Describe(key)} is invalid: keys are 1-{SessionLimits.MaxLabelKeyLength} characters from [A-Za-z0-9._:/-].");
            }

            if (value is null || value.Length > SessionLimits.MaxLabelValueLength)
            {
                return SwitchboardError.InvalidField("labels", $"Label '{key}' must have a string value of at most {SessionLimits.MaxLabelValueLength} characters.");
            }

            if (value.Contains('\0'))
            {
                return SwitchboardError.InvalidField("labels", $"Label '{key}' holds a NUL character (U+0000), which cannot be stored. Remove it.");
            }
        }

        return null;
    }

    private static SwitchboardError? Metadata(string? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetByteCount(metadata);
        if (bytes > SessionLimits.MaxMetadataBytes)
        {
            return SwitchboardError.InvalidField("metadata", $"'metadata' is {bytes} bytes of JSON; at most {SessionLimits.MaxMetadataBytes} (16 KiB) are allowed.");
        }

        try
        {
            using var doc = JsonDocument.Parse(metadata);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? null
                : SwitchboardError.InvalidField("metadata", "'metadata' must be a JSON object.");
        }
        catch (JsonException)
        {
            return SwitchboardError.InvalidField("metadata", "'metadata' must be a JSON object.");
        }
    }

    /// <summary>True when <paramref name="key"/> is a valid label key.</summary>
    public static bool IsLabelKey(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > SessionLimits.MaxLabelKeyLength)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(string? value) => value is null ? "null"
        : value.Length == 0 ? "an empty string"
        : value.Length > 40 ? $"{value.Length} characters"
        : $"'{value}'";
}

/// <summary>The wire names of <see cref="SessionWire"/>'s fields, for error messages.</summary>
internal static class WireNames
{
    public static readonly string Name = SessionWire.Name.Name!;
    public static readonly string ErrorMessage = SessionWire.ErrorMessage.Name!;
    public static readonly string InputTokens = SessionWire.InputTokens.Name!;
    public static readonly string OutputTokens = SessionWire.OutputTokens.Name!;
    public static readonly string CostUsd = SessionWire.CostUsd.Name!;
}
