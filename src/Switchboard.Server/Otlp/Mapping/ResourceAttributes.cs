using Switchboard.Core.Sessions;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// A resource's attributes, indexed, with what each record under it falls back to resolved once, when it is loaded: the
/// sessions its ids name (<see cref="SessionIdentity.Of"/>) and its values for the labels and the name
/// (<see cref="SessionFields"/>), each cleaned, and hashed where an id needs it, once. A record then costs its own
/// attributes only, however large its resource's values are. One instance is reused for every resource of a request.
/// </summary>
internal sealed class ResourceAttributes
{
    private readonly string?[][] _labels = [.. SessionFields.Labels.Select(label => new string?[label.Keys.Length])];
    private readonly string?[] _name = new string?[SessionFields.Name.Length];

    public AttributeIndex Index { get; } = new();

    /// <summary>The session its <c>session.id</c> names; null when it has none.</summary>
    public string? SessionId { get; private set; }

    /// <summary>The session its Codex <c>conversation.id</c> names; null when it has none.</summary>
    public string? CodexSessionId { get; private set; }

    /// <summary>Its clean values of each label's attributes, by label (as <see cref="SessionFields.Labels"/>) and rank.</summary>
    public IReadOnlyList<string?[]> Labels => _labels;

    /// <summary>Its clean values of the name's attributes, by rank.</summary>
    public string?[] Name => _name;

    /// <summary>
    /// Loads the resource (field 1) of <paramref name="owner"/>, a request's <c>ResourceSpans</c>, <c>ResourceLogs</c> or
    /// <c>ResourceMetrics</c>, forgetting the resource before; returns how many attributes past <paramref name="max"/> were
    /// ignored. A resource sent in parts is read whole, as the protobuf decoder merges it.
    /// </summary>
    public int Load(ProtoReader owner, int max)
    {
        var ignored = Index.LoadParts(owner, 1, 1, max);
        (SessionId, CodexSessionId) = SessionIdentity.OfResource(Index);
        for (var i = 0; i < _labels.Length; i++)
        {
            SessionFields.Read(SessionFields.Labels[i].Keys, Index, _labels[i], SessionLimits.MaxLabelValueLength);
        }

        SessionFields.Read(SessionFields.Name, Index, _name, SessionLimits.MaxNameLength);
        return ignored;
    }
}
