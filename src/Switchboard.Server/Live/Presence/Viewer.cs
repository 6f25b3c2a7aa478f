using System.Text.Json;

namespace Switchboard.Server.Live.Presence;

/// <summary>Who joined: the <c>viewer</c> join param, <c>{name, id?}</c>. The presence key is the id, or the name.</summary>
internal sealed record Viewer(string Name, string? Id)
{
    private const int MaxLength = 100;

    public string Key => Id ?? Name;

    public static Viewer? Parse(JsonElement value, out string? error)
    {
        error = null;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
            || name.GetString() is not { Length: > 0 and <= MaxLength } n)
        {
            error = $"'viewer' must be an object with a 'name' of 1-{MaxLength} characters";
            return null;
        }

        string? id = null;
        if (value.TryGetProperty("id", out var idValue) && idValue.ValueKind != JsonValueKind.Null)
        {
            if (idValue.ValueKind != JsonValueKind.String || idValue.GetString() is not { Length: > 0 and <= MaxLength } i)
            {
                error = $"'viewer.id' must be a string of 1-{MaxLength} characters";
                return null;
            }

            id = i;
        }

        return new Viewer(n, id);
    }
}
