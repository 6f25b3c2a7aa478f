namespace Switchboard.Core.Commands;

/// <summary>The limits and defaults of a command, in one place so errors and docs agree.</summary>
internal static class CommandLimits
{
    /// <summary>Expiry when the request names none: five minutes.</summary>
    public const int DefaultExpirySeconds = 300;

    /// <summary>Shortest expiry.</summary>
    public const int MinExpirySeconds = 1;

    /// <summary>Longest expiry: one day.</summary>
    public const int MaxExpirySeconds = 86_400;

    /// <summary>Longest text.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Largest data object, in UTF-8 bytes of its compact JSON.</summary>
    public const int MaxDataBytes = 16 * 1024;

    /// <summary>Longest acknowledgement note.</summary>
    public const int MaxNoteLength = 2000;

    /// <summary>Longest command id accepted in a path.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Who issued a command while the server runs without API keys.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>Who issued a command an alert rule's action issued: <c>rule:{id}</c>.</summary>
    public static string Rule(string ruleId) => "rule:" + ruleId;
}
