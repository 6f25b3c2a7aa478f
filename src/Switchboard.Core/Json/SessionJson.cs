using System.Text.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Json;

/// <summary>The one snake_case JSON shape of a session, used by HTTP responses, event data and snapshots.</summary>
internal static class SessionJson
{
    /// <summary>Writes the session as a JSON object: the fields of <see cref="SessionWire"/> marked as in the response, in order.</summary>
    public static void Write(Utf8JsonWriter writer, Session session) => SessionFields.Table.Write(writer, session);

    /// <summary>Writes a label map as a JSON object with keys in ordinal order.</summary>
    public static void WriteLabels(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> labels) => SessionWire.WriteLabels(writer, labels);

    /// <summary>
    /// Reads a session written by <see cref="Write"/>; every field of the response must be present, except the tree's
    /// (events logged before sessions had a tree read as a root with its own totals).
    /// </summary>
    public static Session Read(JsonElement e)
    {
        var session = new Session { Id = "" };
        var tree = false;
        foreach (var field in SessionFields.Table.Response)
        {
            if (Switchboard.Core.Trees.TreeDefaults.IsTreeField(field.Field) && !e.TryGetProperty(field.Field.Name!, out _))
            {
                tree = true;
                continue;
            }

            session = field.Read(session, e.GetProperty(field.Field.Name!));
        }

        return tree ? Switchboard.Core.Trees.TreeDefaults.AsRoot(session) : session;
    }

    /// <summary>Reads a label map.</summary>
    public static IReadOnlyDictionary<string, string> ReadLabels(JsonElement e) => SessionWire.ReadLabels(e);

    /// <summary>Writes <c>"name": value</c>, or <c>null</c>.</summary>
    public static void WriteNullableInt(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
