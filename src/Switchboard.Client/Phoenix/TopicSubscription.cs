using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Switchboard.Client.Http;

namespace Switchboard.Client.Phoenix;

/// <summary>
/// Keeps one topic joined over its own WebSocket for as long as it runs: connects, joins with the last position
/// reached (<c>{since, epoch}</c>), turns frames into <see cref="StreamItem"/>s, and after any failure reconnects with
/// jittered exponential backoff. Items go into an unbounded queue so the socket is always read (heartbeat replies
/// included) however slow the consumer is.
/// </summary>
internal sealed partial class TopicSubscription : IAsyncDisposable
{
    private readonly SwitchboardClient _client;
    private readonly string _topic;
    private readonly SubscribeOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<StreamItem> _items = Channel.CreateUnbounded<StreamItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _stop = new();
    private StreamPosition? _position;
    private int _joins;
    private Task? _run;

    public TopicSubscription(SwitchboardClient client, string topic, StreamPosition? since, SubscribeOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _client = client;
        _topic = topic;
        _position = since;
        _options = options ?? new SubscribeOptions();
        _time = client.Options.TimeProvider;
    }

    public ChannelReader<StreamItem> Items => _items.Reader;

    /// <summary>Connection attempts that failed or ended since the first successful join.</summary>
    public int Reconnects => Math.Max(0, _joins - 1);

    public void Start(CancellationToken cancellationToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        _run = Task.Run(async () =>
        {
            using (linked)
            {
                await RunAsync(linked.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        Exception? fatal = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Exception? failure = null;
            try
            {
                await ConnectOnceAsync(() => failures = 0, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (SwitchboardSubscriptionException ex)
            {
                fatal = ex;
                break;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or JsonException
                or SwitchboardApiException or OperationCanceledException or InvalidOperationException or KeyNotFoundException)
            {
                // Any other failure ends this connection; the next attempt resumes from the position reached.
                failure = ex;
            }

            failures++;
            var delay = Backoff.Jittered(failures, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay);
            ReportReconnecting(failure, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _items.Writer.TryComplete(fatal);
    }

    private void ReportReconnecting(Exception? failure, TimeSpan delay)
    {
        if (_options.OnReconnecting is not { } report)
        {
            return;
        }

        try
        {
            report(failure, delay);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A status callback that fails must not end the subscription it reports on.
        }
    }

    private async Task ConnectOnceAsync(Action joined, CancellationToken cancellationToken)
    {
        if (_position is { Epoch: null } unresolved)
        {
            // A position given without its epoch means "in the log the server holds now".
            var summary = await _client.GetSummaryAsync(cancellationToken).ConfigureAwait(false);
            _position = unresolved with { Epoch = summary.Epoch };
        }

        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero; // Phoenix heartbeats detect dead connections instead
        ws.Options.CollectHttpResponseDetails = true;
        var options = _client.Options;
        var token = options.StreamTokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : options.StreamToken;
        if (token is null && options.ApiKey is { Length: > 0 } key)
        {
            ws.Options.SetRequestHeader("Authorization", "Bearer " + key);
        }

        options.ConfigureWebSocket?.Invoke(ws.Options);
        using var connection = new PhoenixConnection(ws);
        // Until the join is answered, a stalled connect or join aborts this attempt.
        using var joinDeadline = new CancellationTokenSource(_options.JoinTimeout, _time);
        var abortOnDeadline = joinDeadline.Token.Register(connection.Abort);
        using (var connectCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, joinDeadline.Token))
        {
            try
            {
                await ws.ConnectAsync(_client.SocketUri(token), connectCts.Token).ConfigureAwait(false);
            }
            catch (WebSocketException) when (ws.HttpStatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                && options.StreamTokenProvider is null)
            {
                // A fixed credential that was refused will be refused again; a provider may hand out a fresh token.
                throw new SwitchboardSubscriptionException(_topic, "unauthorized",
                    $"the server answered {(int)ws.HttpStatusCode} to the WebSocket upgrade: the API key or subscriber token was not accepted (wrong, expired, or a foreign origin)");
            }
        }

        var asked = _position;
        var joinRef = await connection.JoinAsync(_topic, w => WriteJoinParams(w, asked), cancellationToken).ConfigureAwait(false);
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeats = HeartbeatLoopAsync(connection, heartbeatStop.Token);
        try
        {
            await foreach (var message in connection.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
            {
                var frame = PhoenixFrame.Parse(message);
                if (frame.Topic == "phoenix")
                {
                    connection.OnHeartbeatReply(frame.Ref);
                    continue;
                }

                if (frame.Topic != _topic || (frame.JoinRef is not null && frame.JoinRef != joinRef))
                {
                    continue; // not ours, or meant for an earlier join
                }

                switch (frame.Event)
                {
                    case "phx_reply" when frame.Ref == joinRef:
                        await abortOnDeadline.DisposeAsync().ConfigureAwait(false); // answered in time: disarm the deadline
                        OnJoinReply(frame.Payload, asked);
                        joined();
                        break;
                    case "phx_reply":
                        break;
                    case "phx_close" or "phx_error":
                        return; // the server ended the channel: rejoin on a fresh connection
                    case var _ when frame.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && frame.Payload.TryGetProperty("type", out _):
                        OnEvent(frame.Payload);
                        break;
                    default:
                        break; // other pushes (presence_state, presence_diff, future ones) are not part of the event stream
                }
            }
        }
        finally
        {
            await abortOnDeadline.DisposeAsync().ConfigureAwait(false);
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
            connection.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
