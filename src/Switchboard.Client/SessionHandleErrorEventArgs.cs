namespace Switchboard.Client;

/// <summary>A background request of a <see cref="SessionHandle"/> failed.</summary>
public sealed class SessionHandleErrorEventArgs(Exception exception, bool willRetry) : EventArgs
{
    /// <summary>The failure (typically <see cref="SwitchboardApiException"/> or <see cref="HttpRequestException"/>).</summary>
    public Exception Exception { get; } = exception;

    /// <summary>True when the changes stay queued and are sent again (the server provably did not apply them).</summary>
    public bool WillRetry { get; } = willRetry;
}
