using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The JSON arrays that stand in for a list parameter (read back with <c>json_each</c>), written directly rather than by
/// the reflection serializer, which a trimmed or ahead-of-time compiled server does not have.
/// </summary>
internal static class SqliteJsonArrays
{
    public static string Strings(IEnumerable<string> values) => Write(values, static (w, v) => w.WriteStringValue(v));

    public static string Numbers(IEnumerable<long> values) => Write(values, static (w, v) => w.WriteNumberValue(v));

    /// <summary>An array of <c>[id, name]</c> pairs.</summary>
    public static string Pairs(IEnumerable<(long Id, string Name)> pairs) => Write(pairs, static (w, p) =>
    {
        w.WriteStartArray();
        w.WriteNumberValue(p.Id);
        w.WriteStringValue(p.Name);
        w.WriteEndArray();
    });

    private static string Write<T>(IEnumerable<T> values, Action<Utf8JsonWriter, T> item) =>
        JsonBytes.WriteText(w =>
        {
            w.WriteStartArray();
            foreach (var value in values)
            {
                item(w, value);
            }

            w.WriteEndArray();
        });
}
