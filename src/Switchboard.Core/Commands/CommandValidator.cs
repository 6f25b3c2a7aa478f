using System.Text;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Commands;

/// <summary>Checks a command write against the model's limits before it reaches the store (the HTTP layer reads the same rules).</summary>
internal static class CommandValidator
{
    /// <summary>The rules of an issue request's fields.</summary>
    public static SwitchboardError? Issue(CommandType type, string? text, string? data, int expiresInSeconds)
    {
        if (text is not null && text.Length > CommandLimits.MaxTextLength)
        {
            return SwitchboardError.InvalidField("text", $"'text' is {text.Length} characters long; at most {CommandLimits.MaxTextLength} are allowed.");
        }

        if (type == CommandType.Message && string.IsNullOrWhiteSpace(text))
        {
            return SwitchboardError.InvalidField("text", "A 'message' command needs 'text': the message for the agent.");
        }

        if (data is not null && Encoding.UTF8.GetByteCount(data) is var bytes && bytes > CommandLimits.MaxDataBytes)
        {
            return SwitchboardError.InvalidField("data", $"'data' is {bytes} bytes of JSON; at most {CommandLimits.MaxDataBytes} (16 KiB) are allowed.");
        }

        return expiresInSeconds is < CommandLimits.MinExpirySeconds or > CommandLimits.MaxExpirySeconds
            ? SwitchboardError.InvalidField("expires_in_seconds",
                $"'expires_in_seconds' must be from {CommandLimits.MinExpirySeconds} to {CommandLimits.MaxExpirySeconds} (one day); got {expiresInSeconds}.")
            : null;
    }

    /// <summary>The rule of an acknowledgement's note.</summary>
    public static SwitchboardError? Note(string? note) => note is not null && note.Length > CommandLimits.MaxNoteLength
        ? SwitchboardError.InvalidField("note", $"'note' is {note.Length} characters long; at most {CommandLimits.MaxNoteLength} are allowed.")
        : null;

    /// <summary>True when <paramref name="id"/> could be a command id (what a path may name).</summary>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= CommandLimits.MaxIdLength } && SessionId.IsValid(id);
}
