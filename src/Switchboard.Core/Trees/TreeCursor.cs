using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Trees;

/// <summary>
/// The cursor of a subtree page (the tree read's and a subtree join's <c>next_cursor</c>): the last node's
/// tree path, base64url-encoded, so it is opaque to clients and safe in a query string.
/// </summary>
internal static class TreeCursor
{
    public static string Encode(string path) => Convert.ToBase64String(Encoding.UTF8.GetBytes(path)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The path a cursor stands for; null when it is not one this server wrote.</summary>
    public static string? Decode(string cursor)
    {
        try
        {
            var text = cursor.Replace('-', '+').Replace('_', '/');
            text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
            var path = Encoding.UTF8.GetString(Convert.FromBase64String(text));
            return path.Split(TreePath.Separator).All(SessionId.IsValid) ? path : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
