using System.Text.Json;

namespace Switchboard.Client;

/// <summary>A partial update: fields left unset stay as they are.</summary>
public sealed record SessionUpdate
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

    /// <summary>The number of running tasks.</summary>
    public int? TasksRunning { get; init; }

    /// <summary>New lease length; null removes the lease.</summary>
    public Optional<int?> LeaseSeconds { get; init; }

    /// <summary>Apply only if the session is still at this version (otherwise 409 <c>version_conflict</c>). Makes a retry safe.</summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>True when no field is set.</summary>
    public bool IsEmpty =>
        State is null && !Name.HasValue && Labels is null && Metadata is null && !ErrorMessage.HasValue && TasksRunning is null && !LeaseSeconds.HasValue;

    /// <summary>This update with every field that <paramref name="newer"/> sets replaced by the newer value (last wins).</summary>
    public SessionUpdate MergeWith(SessionUpdate newer) => new()
    {
        State = newer.State ?? State,
        Name = newer.Name.HasValue ? newer.Name : Name,
        Labels = newer.Labels ?? Labels,
        Metadata = newer.Metadata ?? Metadata,
        ErrorMessage = newer.ErrorMessage.HasValue ? newer.ErrorMessage : ErrorMessage,
        TasksRunning = newer.TasksRunning ?? TasksRunning,
        LeaseSeconds = newer.LeaseSeconds.HasValue ? newer.LeaseSeconds : LeaseSeconds,
        ExpectedVersion = newer.ExpectedVersion ?? ExpectedVersion,
    };

    /// <summary>True when <paramref name="session"/> already holds every value this update sets.</summary>
    public bool IsSatisfiedBy(Session session) =>
        (State is not { } s || session.State == s)
        && (!Name.HasValue || session.Name == Name.Value)
        && (Labels is null || WireJson.LabelsEqual(Labels, session.Labels))
        && (Metadata is not { } m || JsonElement.DeepEquals(m, session.Metadata))
        && (!ErrorMessage.HasValue || session.ErrorMessage == ErrorMessage.Value)
        && (TasksRunning is not { } t || session.TasksRunning == t)
        && (!LeaseSeconds.HasValue || session.LeaseSeconds == LeaseSeconds.Value);
}
