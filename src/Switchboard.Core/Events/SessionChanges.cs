using System.Text.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Events;

/// <summary>
/// The <c>changes</c> object of <c>session_updated</c>: writes the fields that differ and applies them back. The field
/// lists come from <see cref="SessionWire"/> (fields marked <see cref="WireFieldUse.Changes"/>, usage counters
/// <see cref="WireFieldUse.Usage"/>, and the <see cref="WireFieldUse.Stamp"/> written in every object).
/// </summary>
internal static class SessionChanges
{
    /// <summary>True when any field a client can see differs (version and timestamps aside).</summary>
    public static bool Differ(Session a, Session b) => SessionFields.Table.Differ(a, b);

    /// <summary>
    /// When a change moved only usage counters (tokens, cost, tasks running), which of them: a bit each, so two updates
    /// with the same mask carry the same fields and the newer one makes the older redundant. 0 when anything else changed.
    /// </summary>
    public static int UsageOnlyMask(Session before, Session after) => SessionFields.Table.UsageOnlyMask(before, after);

    /// <summary>Writes <c>{field: new value, …}</c> for each changed field, plus <c>updated_at</c>.</summary>
    public static void Write(Utf8JsonWriter w, Session before, Session after) => SessionFields.Table.WriteChanges(w, before, after);

    /// <summary>Applies a <c>changes</c> object to <paramref name="before"/>, setting the new version.</summary>
    /// <remarks>Derived fields (total_tokens) are recomputed; unknown fields from newer nodes are ignored.</remarks>
    public static Session Apply(Session before, JsonElement changes, long version) =>
        SessionFields.Table.ReadFields(before with { Version = version }, changes);

    /// <summary>Compares two label maps by content.</summary>
    public static bool LabelsEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        SessionWire.LabelsEqual(a, b);
}
