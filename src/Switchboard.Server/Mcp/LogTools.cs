using System.Text;
using ModelContextProtocol.Protocol;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Mcp;

/// <summary>
/// <c>read_events</c> (the event log, as <c>GET /api/events</c> reads it, with the same scope rule) and
/// <c>read_session_output</c> (a session's Durable Stream, as <c>GET /v1/stream/sessions/{id}/{name}</c> reads it), each
/// bounded in what it reads and answers.
/// </summary>
internal sealed class LogTools(ISessionStore store, IStreamStore streams, LiveReads live, SessionTools sessions, TimeProvider time)
{
    public const int MaxOutputBytes = 64 * 1024;

    public IEnumerable<McpTool> Tools()
    {
        yield return new McpTool("read_events",
            "Reads the event log after a seq, oldest first: what sessions did (session_created, session_updated with the changed fields, " +
            "session_terminated), approvals and commands asked and answered. Start with since=0 or a seq you saw (as_of_seq, next_since); " +
            "pass next_since back to go on. Filter by session_id and event types.",
            """
            {"type": "object", "additionalProperties": false, "properties": {
              "since": {"type": "integer", "minimum": 0, "default": 0, "description": "Events after this seq."},
              "session_id": {"type": "string", "maxLength": 256, "description": "Only this session's events."},
              "types": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 64},
                "description": "Only these event types, e.g. [\"approval_requested\", \"session_terminated\"]."},
              "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50, "description": "At most this many events read."}}
            }
            """, ApiKeyRole.Read, EventsAsync);
        yield return new McpTool("read_session_output",
            "Reads a session's output stream (a Durable Stream its agent appends to, e.g. 'output' or 'transcript'; get_session lists " +
            "them under 'streams') from an offset. Pass next_offset back to read on; up_to_date says you have read everything so far.",
            $$$"""
            {"type": "object", "additionalProperties": false, "required": ["session_id"], "properties": {
              "session_id": {"type": "string", "maxLength": 256, "description": "The session."},
              "stream": {"type": "string", "maxLength": 128, "pattern": "^[A-Za-z0-9._~-]+$", "default": "output", "description": "The stream's name."},
              "offset": {"type": "string", "maxLength": 40, "default": "-1", "description": "-1 for the start, or a next_offset you were given."},
              "max_bytes": {"type": "integer", "minimum": 1, "maximum": {{{MaxOutputBytes}}}, "default": 16384, "description": "At most this many bytes."}}
            }
            """, ApiKeyRole.Read, OutputAsync);
    }

    private async Task<CallToolResult> EventsAsync(McpCall call, CancellationToken ct)
    {
        var a = call.Args;
        var since = a.Long("since", 0, long.MaxValue) ?? 0;
        var id = a.String("session_id", 256);
        var types = a.Strings("types", null);
        var limit = a.Int("limit", 1, 200, 50);
        var scope = call.Caller.Scope;
        var epoch = live.Epoch;
        var bounds = await store.GetLogBoundsAsync(ct);
        if (!bounds.CanResumeFrom(since))
        {
            throw new McpRefusal("since_gone", since > bounds.HeadSeq
                ? $"seq {since} is beyond the head of the log ({bounds.HeadSeq}); read from a seq you were given."
                : $"events up to seq {bounds.FirstSeq - 1} were purged; read from {bounds.FirstSeq - 1}.");
        }

        var hidden = scope is not null && id is not null && await sessions.VisibleAsync(id, scope, ct) is null;
        var read = hidden ? [] : await store.ReadEventsAsync(new EventQuery { AfterSeq = since, UpToSeq = bounds.HeadSeq, SessionId = id, Limit = limit + 1 }, ct);
        var hasMore = read.Count > limit;
        var page = hasMore ? read.Take(limit).ToList() : read;
        var visible = scope is null ? page : await EventEndpoints.InScopeAsync(page, scope, store, ct);
        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("head_seq", bounds.HeadSeq);
            w.WriteStartArray("events");
            var next = page.Count > 0 ? page[^1].Seq : since;
            foreach (var e in visible)
            {
                if (types is not null && !types.Contains(e.Type))
                {
                    continue;
                }

                if (w.BytesPending + w.BytesCommitted > McpJson.MaxAnswerBytes)
                {
                    next = e.Seq - 1;
                    hasMore = true;
                    break;
                }

                w.WriteRawValue(FrameEncoder.Envelope(e, epoch, scoped: scope is not null), skipInputValidation: true);
            }

            w.WriteEndArray();
            w.WriteNumber("next_since", next);
            w.WriteBoolean("has_more", hasMore);
            w.WriteEndObject();
        });
    }

    private async Task<CallToolResult> OutputAsync(McpCall call, CancellationToken ct)
    {
        var a = call.Args;
        var id = a.String("session_id", 256, required: true)!;
        var name = a.String("stream", 128) ?? "output";
        var offset = a.String("offset", 40) ?? "-1";
        var max = a.Int("max_bytes", 1, MaxOutputBytes, 16384);
        if (name.Length == 0 || name is "." or ".." || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '-')))
        {
            throw a.Invalid("'stream' must be a stream name of letters, digits and . _ ~ -, e.g. output");
        }

        if (!ReadStart.TryParse(offset, out var start))
        {
            throw a.Invalid("'offset' must be -1, now, or a next_offset you were given");
        }

        await sessions.RequireAsync(id, call.Caller.Scope, ct);
        var path = $"{Switchboard.Server.Streams.SessionStreams.Prefix}/{id}/{name}";
        var chain = await streams.ReadChainAsync(path, ct);
        if (StreamReads.Refusal(chain, WireTime.Now(time)) is not null)
        {
            throw new McpRefusal("stream_not_found", $"Session '{id}' has no stream '{name}'. get_session lists its streams.");
        }

        var stream = chain!.Stream;
        var from = StreamReads.StartOf(start, stream) ?? throw a.Invalid("'offset' is beyond the stream's end");
        var json = StreamContentType.IsJson(stream.ContentType);
        string text;
        long next;
        using (var buffers = new ChunkBuffers())
        {
            // A byte stream is cut at max_bytes; a JSON stream keeps whole messages (the first one whatever its size).
            var ranges = chain.Ranges(from, json ? stream.Tail : Math.Min(stream.Tail, from + max));
            var chunks = ranges.Count == 0 ? [] : await streams.ReadChunksAsync(ranges, max, buffers, ct);
            var slice = StreamReads.Slice(chain, from, ranges, chunks, max);
            text = json
                ? string.Join("\n", slice.Parts.Select(p => Encoding.UTF8.GetString(p.Span)))
                : Encoding.UTF8.GetString([.. slice.Parts.SelectMany(p => p.ToArray())]);
            next = slice.Next;
        }

        return McpJson.Result(w =>
        {
            w.WriteStartObject();
            w.WriteString("content_type", stream.ContentType);
            w.WriteString("text", text.Length > MaxOutputBytes ? text[..MaxOutputBytes] + "…" : text);
            w.WriteString("next_offset", StreamOffset.Format(next));
            w.WriteBoolean("up_to_date", next >= stream.Tail);
            w.WriteBoolean("closed", stream.Closed && next >= stream.Tail);
            w.WriteEndObject();
        });
    }
}
