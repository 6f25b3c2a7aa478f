using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.Sse;

/// <summary>
/// <c>GET /api/stream?topics=…</c>: the live stream for <c>curl -N</c> and <c>EventSource</c>.
/// <c>id:</c> is the seq, <c>event:</c> the type; a reconnect with <c>Last-Event-ID</c> resumes exactly.
/// Each topic's join reply arrives first as an <c>event: joined</c> record.
/// </summary>
internal static class SseEndpoint
{
    public static async Task HandleAsync(HttpContext context, JoinCoordinator hub, ConnectionRegistry registry, TimeProvider time, SocketOptions options,
        StreamAuthenticator authenticator)
    {
        var auth = await authenticator.AuthenticateAsync(context.Request);
        if (auth.Grant is null)
        {
            await new ProblemResult(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized",
                $"The stream was refused: {auth.Error}. Pass a subscriber token as ?token=… (POST /api/tokens mints one) or 'Authorization: Bearer <token or API key>'.")
            { Challenge = "Bearer realm=\"switchboard\"" }.ExecuteAsync(context);
            return;
        }

        var requests = ParseRequests(context.Request, hub, out var problem);
        if (requests is null)
        {
            await problem!.ExecuteAsync(context);
            return;
        }

        var grant = authenticator.Enabled ? auth.Grant : null;
        for (var i = 0; i < requests.Count; i++)
        {
            var (scoped, refusal) = await authenticator.Joins.AuthorizeAsync(requests[i], grant, time.GetUtcNow(), context.RequestAborted);
            if (scoped is null)
            {
                await new ProblemResult(StatusCodes.Status403Forbidden, "unauthorized", "Forbidden", $"Topic '{requests[i].Route.Topic}' was refused: {refusal}.", "topics")
                    .ExecuteAsync(context);
                return;
            }

            requests[i] = scoped;
        }

        if (!registry.TryReserve())
        {
            await ConnectionRefusal.For(registry).ExecuteAsync(context);
            return;
        }

        SseResponse.Begin(context, "no-cache, no-store");

        // Nothing is written until the join has answered: a join that fails (the store is down) still gets a problem.
        var connection = new SseConnection(context, options, time, registry);
        registry.Add(connection);
        TransportLog.Opened(registry.Logger, "SSE", registry.Count);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, connection.Done);
        ISubscription[] subs = [];
        // An expired token ends the stream; EventSource's reconnect with the same token is then refused. The watch starts
        // before the join, so a token that expires while the join runs (or just after its reply) still ends the stream.
        using var expiry = grant?.ExpiresAt is { } expires
            ? time.CreateTimer(_ => connection.Close(0, "token expired"), null, Max(expires - time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan)
            : null;
        ITimer? heartbeat = null;
        try
        {
            try
            {
                subs = await hub.JoinAllAsync(connection.Queue, requests, JoinReply.Sse(Retry), () =>
                {
                    // Armed before the stream opens: a client that has seen `joined` can count on the heartbeats.
                    heartbeat = time.CreateTimer(_ => connection.SendHeartbeat(), null, options.SseHeartbeatInterval, options.SseHeartbeatInterval);
                    connection.Open();
                }, ended.Token);
            }
            catch (StoreUnavailableException ex) when (!connection.IsOpen)
            {
                hub.LogFailure(string.Join(",", requests.Select(r => r.Route.Topic)), ex);
                await new ProblemResult(StatusCodes.Status503ServiceUnavailable, "store_unavailable", "Service unavailable",
                    $"The stream could not be joined: {ex.Message}", null) { RetryAfterSeconds = 2 }.ExecuteAsync(context);
                return;
            }

            await Task.Delay(Timeout.Infinite, ended.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (connection.IsOpen)
        {
            // The stream has started: it just ends, and EventSource reconnects with Last-Event-ID.
            hub.LogFailure(string.Join(",", requests.Select(r => r.Route.Topic)), ex);
        }
        finally
        {
            heartbeat?.Dispose();
            TransportLog.Closed(registry.Logger, "SSE", connection.IsOpen ? "the stream ended" : "the join failed");
            hub.Leave(subs);
            await connection.StopAsync();
            registry.Remove(connection);
            registry.Release();
        }
    }

    private static readonly OutboundFrame Retry = OutboundFrame.SseOnly(SseRecord.Retry(TimeSpan.FromSeconds(2)));

    private static List<JoinRequest>? ParseRequests(HttpRequest request, JoinCoordinator hub, out ProblemResult? problem)
    {
        problem = null;
        var topics = request.Query["topics"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (topics.Length == 0)
        {
            problem = ProblemResult.BadRequest("Name at least one topic, e.g. ?topics=sessions or ?topics=summary,session:my-id.", "topics");
            return null;
        }

        long? since = null;
        var sinceText = request.Headers["Last-Event-ID"].ToString();
        if (sinceText.Length == 0)
        {
            sinceText = request.Query["since"].ToString();
        }

        if (sinceText.Length > 0)
        {
            if (!long.TryParse(sinceText, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                problem = ProblemResult.BadRequest($"Last-Event-ID / since must be a seq (a non-negative integer); got '{Truncate(sinceText)}'.", "since");
                return null;
            }

            since = s;
        }

        // EventSource cannot add the epoch on its own reconnects; without one the current epoch is assumed.
        var epoch = request.Query["epoch"].ToString() is { Length: > 0 } e ? e : hub.Epoch;
        var labels = LabelFilter.ParseQuery(request.Query["label"], out var labelError);
        if (labelError is not null)
        {
            problem = ProblemResult.BadRequest(labelError, "label");
            return null;
        }

        bool subtree;
        switch (request.Query["subtree"].ToString())
        {
            case "" or "false":
                subtree = false;
                break;
            case "true":
                subtree = true;
                break;
            default:
                problem = ProblemResult.BadRequest("'subtree' must be true or false: true follows each session:{id} topic's whole subtree.", "subtree");
                return null;
        }

        var requests = new List<JoinRequest>();
        foreach (var topic in topics.Distinct(StringComparer.Ordinal))
        {
            if (!TopicRoute.TryParse(topic, out var route))
            {
                problem = ProblemResult.BadRequest($"Unknown topic '{Truncate(topic)}'. Topics are 'sessions', 'summary' and 'session:{{id}}'.", "topics");
                return null;
            }

            if (route.Kind == TopicKind.Usage)
            {
                problem = ProblemResult.BadRequest("The 'usage' topic is served on the Phoenix socket (WebSocket or long-poll); over HTTP read GET /api/usage.", "topics");
                return null;
            }

            if (requests.Count == hub.Options.MaxChannelsPerConnection)
            {
                problem = ProblemResult.BadRequest($"At most {hub.Options.MaxChannelsPerConnection} topics per stream.", "topics");
                return null;
            }

            requests.Add(new JoinRequest(route, since, epoch, route.Kind == TopicKind.AllSessions ? labels : null, hub.Options.SnapshotSessions)
            {
                Subtree = subtree && route.Kind == TopicKind.OneSession,
            });
        }

        return requests;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Truncate(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
