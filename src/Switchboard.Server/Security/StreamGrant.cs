using Switchboard.Server.Live;

namespace Switchboard.Server.Security;

/// <summary>
/// What one stream connection may subscribe to: topic patterns, an optional label scope (the connection only sees
/// sessions carrying these labels) and an expiry. An API key's grant has every topic and no expiry, and its labels scope if
/// it has one.
/// </summary>
internal sealed class StreamGrant
{
    private readonly string[]? _topics;

    private StreamGrant(string[]? topics, IReadOnlyDictionary<string, string>? labels, DateTimeOffset? expiresAt)
    {
        _topics = topics;
        Labels = labels;
        ExpiresAt = expiresAt;
    }

    /// <summary>Every topic, every session, no expiry: an API key.</summary>
    public static StreamGrant Unrestricted { get; } = new(null, null, null);

    /// <summary>An API key scoped by labels: every topic but the fleet-wide ones, sessions inside the scope, no expiry.</summary>
    public static StreamGrant ForKey(IReadOnlyDictionary<string, string> labels) => new(null, labels, null);

    /// <summary>A subscriber token's grant.</summary>
    public static StreamGrant ForToken(IReadOnlyList<string> topics, IReadOnlyDictionary<string, string>? labels, DateTimeOffset expiresAt) =>
        new([.. topics], labels is { Count: > 0 } ? labels : null, expiresAt);

    /// <summary>The topic patterns, or null for every topic.</summary>
    public IReadOnlyList<string>? Topics => _topics;

    /// <summary>Sessions must carry all these labels to be seen; null for no restriction.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; }

    /// <summary>When the grant ends (the connection is closed then); null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>
    /// Whether the grant covers the topic. A label-scoped grant never covers a fleet-wide topic (<see cref="AccessTable.Topics"/>:
    /// summaries, usage rollups, alerts, commands, approvals), whatever its patterns say.
    /// </summary>
    public bool Allows(TopicRoute route)
    {
        if (Labels is not null && IsFleetWide(route))
        {
            return false;
        }

        if (_topics is null)
        {
            return true;
        }

        foreach (var pattern in _topics)
        {
            if (TopicPattern.Matches(pattern, route.Topic))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="route"/> is a fleet-wide topic, which no label-scoped connection joins.</summary>
    public static bool IsFleetWide(TopicRoute route) => AccessTable.Topics[route.Kind] == Reach.FleetWide;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;

    /// <summary>Whether two grants restrict sessions the same way.</summary>
    public bool HasSameLabels(StreamGrant other)
    {
        if (Labels is null || other.Labels is null)
        {
            return Labels is null && other.Labels is null;
        }

        return Labels.Count == other.Labels.Count
            && Labels.All(l => other.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
    }
}
