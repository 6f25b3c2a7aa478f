using System.Text.Json;
using Switchboard.Client.Json;

namespace Switchboard.Client.Phoenix;

/// <summary>Join params, the join reply, events and heartbeats.</summary>
internal sealed partial class TopicSubscription
{
    private static readonly HashSet<string> FatalJoinErrors = new(StringComparer.Ordinal) { "unmatched topic", "invalid join params", "unauthorized" };

    private void WriteJoinParams(Utf8JsonWriter w, StreamPosition? since)
    {
        w.WriteStartObject();
        if (since is { } position)
        {
            w.WriteNumber("since", position.Seq);
            w.WriteString("epoch", position.Epoch);
        }

        if (_options.Labels is { Count: > 0 } labels)
        {
            w.WriteStartObject("labels");
            foreach (var (k, v) in labels)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        if (_options.SnapshotLimit is { } limit)
        {
            w.WriteNumber("limit", limit);
        }

        if (_options.Subtree)
        {
            w.WriteBoolean("subtree", true);
        }

        w.WriteEndObject();
    }

    private void OnJoinReply(JsonElement payload, StreamPosition? asked)
    {
        var status = WireJson.String(payload, "status");
        var response = payload.TryGetProperty("response", out var r) ? r : WireJson.EmptyObject;
        if (status != "ok")
        {
            var reason = WireJson.String(response, "reason") ?? "join refused";
            if (FatalJoinErrors.Contains(reason))
            {
                throw new SwitchboardSubscriptionException(_topic, reason, WireJson.String(response, "detail"));
            }

            throw new IOException($"The join of '{_topic}' was refused ({reason}); retrying.");
        }

        _joins++;
        var resumed = response.TryGetProperty("resumed", out var res) && res.ValueKind == JsonValueKind.True;
        if (resumed && asked is { } since)
        {
            var replayed = (int)WireJson.Long(response, "replayed");
            Write(new Resumed(since.Seq, since.Epoch!, replayed, Reconnects));
            return;
        }

        var snapshot = WireJson.ReadJoinSnapshot(response);
        _position = new StreamPosition(snapshot.Seq, snapshot.Epoch);
        Write(new SnapshotReset(snapshot, ResumeRequested: asked is not null));
    }

    private void OnEvent(JsonElement envelope)
    {
        var e = WireJson.ReadEvent(envelope);
        if (e.Position is { } position)
        {
            if (_position is { } seen && seen.Epoch == position.Epoch && position.Seq <= seen.Seq)
            {
                return; // delivered already (a correct server sends none twice, but a relay may)
            }

            _position = position;
        }

        Write(e);
    }

    private void Write(StreamItem item)
    {
        if (!_items.Writer.TryWrite(item))
        {
            throw new OperationCanceledException("The subscription was disposed.");
        }
    }

    private async Task HeartbeatLoopAsync(PhoenixConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.HeartbeatInterval, _time, cancellationToken).ConfigureAwait(false);
                if (!await connection.HeartbeatAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            // The connection is ending; the read side notices and reconnects.
        }
    }
}
