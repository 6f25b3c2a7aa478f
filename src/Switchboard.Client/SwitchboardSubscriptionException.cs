namespace Switchboard.Client;

/// <summary>The server refused to join a topic for a reason that retrying cannot fix (an unknown topic, invalid join params, credentials that do not cover it).</summary>
public sealed class SwitchboardSubscriptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SwitchboardSubscriptionException(string topic, string reason, string? detail)
        : base($"Joining '{topic}' was refused: {reason}{(detail is null ? "" : $" ({detail})")}.")
    {
        Topic = topic;
        Reason = reason;
        Detail = detail;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The server's reason, e.g. <c>unmatched topic</c>.</summary>
    public string Reason { get; }

    /// <summary>More detail, when the server gave it.</summary>
    public string? Detail { get; }
}
