using System.Text.Json;
using Switchboard.Client.Json;

namespace Switchboard.Client;

// The plain fields' properties are generated from SessionWire's rows (Switchboard.Generators).
/// <summary>A session as the server reports it. Two sessions are equal when every field is (labels and metadata by content).</summary>
public sealed partial record Session
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>1–128 characters from <c>[A-Za-z0-9._:-]</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Display name, or null.</summary>
    public string? Name { get; init; }

    private readonly SessionState _state;
    private readonly string _stateName = SessionStates.ToWire(SessionState.Initializing);

    /// <summary>
    /// Lifecycle state; <see cref="SessionState.Unknown"/> for a state this client does not know (a newer server's), whose
    /// name is in <see cref="StateName"/>. Setting it sets <see cref="StateName"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to <see cref="SessionState.Unknown"/>: set <see cref="StateName"/> instead.</exception>
    public SessionState State
    {
        get => _state;
        init => (_stateName, _state) = (value.ToWire(), value);
    }

    /// <summary>
    /// The state's wire name as the server sent it (<c>working</c>, <c>waiting</c>, …), kept also for a state this client
    /// does not know. Setting it sets <see cref="State"/>.
    /// </summary>
    public string StateName
    {
        get => _stateName;
        init => (_stateName, _state) = (value ?? throw new ArgumentNullException(nameof(value)), SessionStates.FromWire(value));
    }

    /// <summary>String labels used for filtering and scoping.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoLabels;

    /// <summary>A JSON object.</summary>
    public JsonElement Metadata { get; init; } = WireJson.EmptyObject;

    /// <summary>Why the session is in error, when it is.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Input tokens used so far.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens used so far.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Cost so far, in US dollars.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Lease length in seconds; null when the session has no lease.</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>Creation time (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Time of the last change (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the session was terminated, or null.</summary>
    public DateTimeOffset? TerminatedAt { get; init; }

    /// <summary>Starts at 1 and goes up by one on every change; newer data has a higher version.</summary>
    public long Version { get; init; }

    /// <summary>
    /// False when the session's producer cannot receive commands (made from OpenTelemetry, or created so); commands to it
    /// are refused. Turns true once, when the agent's hooks are first heard from.
    /// </summary>
    public bool AcceptsCommands { get; init; } = true;

    /// <summary>What the agent is doing now, as its hooks report it (a tool's name, or a one-line summary); null when nothing in particular.</summary>
    public string? Activity { get; init; }

    /// <summary>
    /// The session that started this one; null for a root. Set at create, and once for a root made from OpenTelemetry when
    /// the span of its parent agent arrives (a <c>session_updated</c> with reason <c>adopted</c>).
    /// </summary>
    public string? ParentId { get; init; }

    /// <summary>The root of this session's tree: its own id for a root.</summary>
    public string RootId { get; init; } = "";

    /// <summary>Levels below the root: 0 for a root.</summary>
    public int Depth { get; init; }

    /// <summary>Totals over this session and all its descendants: sessions, active ones, tokens and cost.</summary>
    public SubtreeTotals Subtree { get; init; }

    /// <summary>
    /// The session this one continues: an agent heard from again after its session ended by quiet continues in a new
    /// session that names the ended one. Null for most sessions.
    /// </summary>
    public string? Continues { get; init; }

    /// <summary>
    /// Where a session made from OpenTelemetry counts its usage from (<c>events</c> or <c>metrics</c>): the first source
    /// that brought it usage. Set by the server only; null for other sessions.
    /// </summary>
    public string? UsageFrom { get; init; }

    /// <summary>
    /// The session's durable streams (<c>/v1/stream/sessions/{id}/{name}</c>), by name: creating, closing or deleting one
    /// moves the session's <see cref="Version"/>; appending does not.
    /// </summary>
    public IReadOnlyList<SessionStreamInfo> Streams { get; init; } = [];

    /// <summary>True for every state except terminated.</summary>
    public bool IsActive => State.IsActive();

    /// <inheritdoc />
    public bool Equals(Session? other)
    {
        if (other is null)
        {
            return false;
        }

        foreach (var field in ClientSessionFields.Table.All)
        {
            if (field.Differs(this, other))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Version, State);
}
