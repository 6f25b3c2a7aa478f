using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>Refuses a request body that holds a lone surrogate escape, naming where (<see cref="JsonStrings"/>).</summary>
internal static class JsonText
{
    /// <summary>
    /// Throws a 400 <c>malformed_json</c> naming the first string or field name under <paramref name="value"/> that is not
    /// text; with <paramref name="shallow"/>, only its own field names and string values (a batch checks each operation on its own).
    /// </summary>
    public static void ThrowIfNotText(JsonElement value, string path, bool shallow = false)
    {
        if (JsonStrings.FindNotText(value, path, shallow) is not { } where)
        {
            return;
        }

        var what = where.InFieldName ? (where.Path.Length == 0 ? "A field name" : $"A field name in '{where.Path}'") : $"'{where.Path}'";
        throw new RequestException(new ProblemResult(400, "malformed_json", "Malformed JSON",
            $"{what} holds a lone surrogate escape (\\ud800-\\udfff without its pair), which is not Unicode text. " +
            "Escape characters outside the BMP as a high-low pair, or send them as UTF-8.", where.Path.Length == 0 ? null : where.Path));
    }
}
