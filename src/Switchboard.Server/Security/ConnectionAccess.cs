using Switchboard.Server.Live;

namespace Switchboard.Server.Security;

/// <summary>
/// One authenticated connection's grant. It is checked on every join, can be replaced by a fresher token over the open
/// connection (<c>access_token</c> on topic <c>phoenix</c>), and when it expires the transport is told to close —
/// timed with the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ConnectionAccess(StreamGrant grant, StreamAuthenticator authenticator, TimeProvider time) : IDisposable
{
    private readonly object _lock = new();
    private Action? _onExpired;
    private ITimer? _timer;
    private bool _disposed;

    public StreamGrant Grant { get; private set; } = grant;

    public bool IsExpired => Grant.IsExpiredAt(time.GetUtcNow());

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Checks a join against the connection's current grant; see <see cref="JoinAuthorizer.AuthorizeAsync"/>.</summary>
    public Task<(JoinRequest? Request, string? Refusal)> AuthorizeAsync(JoinRequest request, CancellationToken cancellationToken) =>
        authenticator.Joins.AuthorizeAsync(request, Grant, Now, cancellationToken);

    /// <summary>Starts watching the expiry; <paramref name="onExpired"/> runs once it passes (on a timer thread).</summary>
    public void Start(Action onExpired)
    {
        _onExpired = onExpired;
        Arm();
    }

    /// <summary>
    /// Validates a fresher token and, if it is good and keeps the same label scope, makes it the connection's grant.
    /// Returns why it was refused, or null.
    /// </summary>
    public async Task<string?> RefreshAsync(string token)
    {
        var result = await authenticator.ValidateAsync(token);
        if (result.Grant is not { } fresh)
        {
            return result.Error;
        }

        if (!fresh.HasSameLabels(Grant))
        {
            return "a refreshed token must carry the same labels scope as the connection's token";
        }

        Grant = fresh;
        Arm();
        return null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Arm()
    {
        if (Grant.ExpiresAt is not { } expires)
        {
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var due = expires - time.GetUtcNow();
            if (due < TimeSpan.Zero)
            {
                due = TimeSpan.Zero;
            }

            if (_timer is null)
            {
                _timer = time.CreateTimer(_ => OnTimer(), null, due, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Change(due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnTimer()
    {
        // A refresh may have moved the expiry after this firing was scheduled.
        if (IsExpired)
        {
            _onExpired?.Invoke();
        }
        else
        {
            Arm();
        }
    }
}
