using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Server.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Sessions;

/// <summary><c>GET /api/events</c> (replay) and <c>GET /api/summary</c>.</summary>
internal static class EventEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/events", ReplayAsync).WithTags("Events").WithName("ReplayEvents")
            .Produces<EventsResponse>().Problems(400, 410)
            .Query(("since", JsonSchemaType.Integer, "Replay the events after this seq (default 0)."),
                ("limit", JsonSchemaType.Integer, "Page size."),
                ("session_id", JsonSchemaType.String, "Only this session's events."),
                ("epoch", JsonSchemaType.String, "The epoch since was read in; another one answers 410."));
        api.MapGet("/summary", SummaryAsync).WithTags("Events").WithName("GetSummary").Produces<SummaryResponse>();
    }

    private static async Task<IResult> ReplayAsync(HttpContext http, ISessionStore store, LiveReads live, SwitchboardOptions options, CancellationToken cancellationToken)
    {
        long since;
        int limit;
        string? sessionId;
        try
        {
            var q = http.Request.Query;
            since = 0;
            if (q.TryGetValue("since", out var text) && text.ToString().Length > 0
                && (!long.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out since)))
            {
                throw RequestException.Field("since", $"'since' must be a seq (a non-negative integer); got '{text}'.");
            }

            limit = SessionEndpoints.QueryInt(q, "limit", SwitchboardDefaults.EventPageSize, 1, options.Http.MaxPageSize);
            sessionId = q["session_id"].ToString() is { Length: > 0 } id ? id : null;
            if (sessionId is not null && !SessionId.IsValid(sessionId))
            {
                throw RequestException.Field("session_id", $"'session_id' must be {SessionId.Rule}.");
            }
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var epoch = live.Epoch;
        var bounds = await store.GetLogBoundsAsync(cancellationToken);
        var askedEpoch = http.Request.Query["epoch"].ToString();
        if ((askedEpoch.Length > 0 && askedEpoch != epoch) || !bounds.CanResumeFrom(since))
        {
            var why = askedEpoch.Length > 0 && askedEpoch != epoch ? $"the log was replaced (epoch is now '{epoch}', not '{askedEpoch}')"
                : since > bounds.HeadSeq ? $"seq {since} is beyond the head of this log ({bounds.HeadSeq}); it comes from another log"
                : $"events up to seq {bounds.FirstSeq - 1} were purged by retention";
            return new ProblemResult(StatusCodes.Status410Gone, "since_gone", "Gone",
                $"Cannot replay from seq {since}: {why}. Fetch a fresh state (GET /api/sessions and /api/summary), then replay from the current seq {bounds.HeadSeq}.",
                "since");
        }

        // Never past the head this answer reports: a later commit may already be readable, and a next_since beyond head_seq
        // would be refused by the next request. A session outside a scoped key's labels is answered as one that does not
        // exist: no events, and next_since where it was.
        var scope = ApiAccessFilter.ScopeOf(http);
        var hidden = scope is not null && sessionId is not null && await store.GetSessionAsync(sessionId, cancellationToken) is { } named
            && !scope.Matches(named.Labels);
        var events = hidden ? [] : await store.ReadEventsAsync(
            new EventQuery { AfterSeq = since, UpToSeq = bounds.HeadSeq, SessionId = sessionId, Limit = limit + 1 }, cancellationToken);
        var hasMore = events.Count > limit;
        var page = hasMore ? events.Take(limit).ToList() : events;
        var visible = scope is null ? page : await InScopeAsync(page, scope, store, cancellationToken);
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteString("epoch", epoch);
            w.WriteNumber("head_seq", bounds.HeadSeq);
            w.WriteStartArray("events");
            foreach (var e in visible)
            {
                w.WriteRawValue(FrameEncoder.Envelope(e, epoch, scoped: scope is not null), skipInputValidation: true);
            }

            w.WriteEndArray();
            w.WriteNumber("next_since", page.Count > 0 ? page[^1].Seq : since);
            w.WriteBoolean("has_more", hasMore);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The events a key scoped by labels may see, by the rule its streams follow (<see cref="LabelFilter.Includes"/>): those
    /// of sessions inside its scope (one seen leaving it), their commands' events, and the fleet flag; no alert events, as
    /// alerting is fleet-wide. Its page may hold fewer events than the limit; <c>next_since</c> still moves past them all.
    /// </summary>
    internal static async Task<List<Switchboard.Core.Events.EventRecord>> InScopeAsync(IReadOnlyList<Switchboard.Core.Events.EventRecord> events, LabelFilter scope, ISessionStore store,
        CancellationToken cancellationToken)
    {
        var visible = new List<Switchboard.Core.Events.EventRecord>(events.Count);
        Dictionary<string, Session?>? stored = null; // only for events logged before labels were recorded
        foreach (var e in events)
        {
            if (Switchboard.Core.Events.EventTypes.IsAlert(e.Type))
            {
                continue;
            }

            IReadOnlyDictionary<string, string>? fallback = null;
            if (e.SessionId is { } id && e.Labels is null)
            {
                stored ??= new Dictionary<string, Session?>(StringComparer.Ordinal);
                if (!stored.TryGetValue(id, out var session))
                {
                    stored[id] = session = await store.GetSessionAsync(id, cancellationToken);
                }

                fallback = session?.Labels;
            }

            if (scope.Includes(e, fallback, fallback))
            {
                visible.Add(e);
            }
        }

        return visible;
    }

    private static async Task<IResult> SummaryAsync(LiveReads live)
    {
        var summary = await live.FleetSummaryAsync();
        var epoch = live.Epoch;
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            summary.WriteFields(w);
            w.WriteString("epoch", epoch);
            w.WriteEndObject();
        });
    }
}
