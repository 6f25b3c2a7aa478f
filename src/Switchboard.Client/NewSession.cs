using System.Text.Json;

namespace Switchboard.Client;

// The plain fields' properties are generated from SessionWire's rows (Switchboard.Generators).
/// <summary>What to create. Everything is optional; the id is generated when left out.</summary>
public sealed partial record NewSession
{
    /// <summary>The id to use. When null the client generates a random one, which makes a retried create safe.</summary>
    public string? Id { get; init; }

    /// <summary>Display name.</summary>
    public string? Name { get; init; }

    /// <summary>Initial state (any but terminating and terminated). Default: initializing.</summary>
    public SessionState? State { get; init; }

    /// <summary>Labels (at most 32).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>A JSON object of at most 16 KiB.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>Error message, when created in the error state.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Initial input tokens.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Initial output tokens.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Initial cost in US dollars.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Lease in seconds: the server moves the session to error when it hears nothing for this long.</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>False when this producer cannot receive commands (it never reads a write answer, a long-poll or its topic); commands to it are then refused.</summary>
    public bool? AcceptsCommands { get; init; }

    /// <summary>
    /// The session that starts this one: it must exist and not be terminated. Set once, at create; its cost and tokens
    /// then count in the <see cref="Session.Subtree"/> of every ancestor.
    /// </summary>
    public string? ParentId { get; init; }
}
