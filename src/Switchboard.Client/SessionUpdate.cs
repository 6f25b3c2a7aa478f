using System.Text.Json;
using Switchboard.Client.Json;

namespace Switchboard.Client;

// The plain fields' properties, and their parts of IsEmpty, MergeWith and IsSatisfiedBy, are generated from SessionWire's
// rows (Switchboard.Generators).
/// <summary>A partial update: fields left unset stay as they are.</summary>
public sealed partial record SessionUpdate
{
    /// <summary>New state.</summary>
    public SessionState? State { get; init; }

    /// <summary>New name; null clears it.</summary>
    public Optional<string?> Name { get; init; }

    /// <summary>Replaces every label.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Replaces the metadata object.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>New error message; null clears it (leaving the error state clears it too).</summary>
    public Optional<string?> ErrorMessage { get; init; }

    /// <summary>New lease length; null removes the lease.</summary>
    public Optional<int?> LeaseSeconds { get; init; }

    /// <summary>Apply only if the session is still at this version (otherwise 409 <c>version_conflict</c>). Makes a retry safe.</summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>True when no field is set.</summary>
    public bool IsEmpty =>
        State is null && !Name.HasValue && Labels is null && Metadata is null && !ErrorMessage.HasValue && !LeaseSeconds.HasValue && PlainFieldsUnset;

    /// <summary>This update with every field that <paramref name="newer"/> sets replaced by the newer value (last wins).</summary>
    public SessionUpdate MergeWith(SessionUpdate newer) => MergePlainFields(new()
    {
        State = newer.State ?? State,
        Name = newer.Name.HasValue ? newer.Name : Name,
        Labels = newer.Labels ?? Labels,
        Metadata = newer.Metadata ?? Metadata,
        ErrorMessage = newer.ErrorMessage.HasValue ? newer.ErrorMessage : ErrorMessage,
        LeaseSeconds = newer.LeaseSeconds.HasValue ? newer.LeaseSeconds : LeaseSeconds,
        ExpectedVersion = newer.ExpectedVersion ?? ExpectedVersion,
    }, newer);

    /// <summary>True when <paramref name="session"/> already holds every value this update sets.</summary>
    public bool IsSatisfiedBy(Session session) =>
        (State is not { } s || session.State == s)
        && (!Name.HasValue || session.Name == Name.Value)
        && (Labels is null || WireJson.LabelsEqual(Labels, session.Labels))
        && (Metadata is not { } m || JsonElement.DeepEquals(m, session.Metadata))
        && (!ErrorMessage.HasValue || session.ErrorMessage == ErrorMessage.Value)
        && (!LeaseSeconds.HasValue || session.LeaseSeconds == LeaseSeconds.Value)
        && PlainFieldsSatisfiedBy(session);
}
