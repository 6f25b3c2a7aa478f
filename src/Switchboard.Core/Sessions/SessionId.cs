using System.Security.Cryptography;

namespace Switchboard.Core.Sessions;

/// <summary>Validates and generates session ids.</summary>
internal static class SessionId
{
    private const string GeneratedAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>True when <paramref name="id"/> is 1–128 characters from <c>[A-Za-z0-9._:-]</c>.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > SessionLimits.MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!IsIdChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new random id such as <c>s_8k2j4n5q0p1m</c>.</summary>
    public static string New() => "s_" + RandomNumberGenerator.GetString(GeneratedAlphabet, 16);

    /// <summary>The rule, for error messages.</summary>
    public const string Rule = "1-128 characters from [A-Za-z0-9._:-]";

    private static bool IsIdChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or ':' or '-';
}
