using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>
/// One durable stream of a session (<c>/v1/stream/sessions/{id}/{name}</c>), written by its producer. Appends made
/// while another is on its way are coalesced into the next request, as the handle coalesces updates; each request is an
/// idempotent producer's (<c>Producer-Id</c>, <c>-Epoch</c>, <c>-Seq</c>), so a retry after a lost answer is recognised
/// and never appended twice. An append's task completes once its bytes are durable on the server.
/// </summary>
public sealed class SessionStream
{
    private readonly ApiTransport _api;
    private readonly string _path;
    private readonly MediaTypeHeaderValue _contentType;
    private readonly bool _json;
    private readonly string _producer = "sdk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly object _gate = new();
    private List<byte[]> _pending = [];
    private TaskCompletionSource _batch = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _sending;
    private bool _created;
    private long _epoch;
    private long _seq;

    internal SessionStream(ApiTransport api, string sessionId, string name, string contentType)
    {
        _api = api;
        Name = name;
        ContentType = contentType;
        _path = $"v1/stream/sessions/{Uri.EscapeDataString(sessionId)}/{Uri.EscapeDataString(name)}";
        _contentType = MediaTypeHeaderValue.Parse(contentType);
        _json = string.Equals(_contentType.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The stream's name within its session.</summary>
    public string Name { get; }

    /// <summary>The content type it is created with.</summary>
    public string ContentType { get; }

    /// <summary>Appends <paramref name="text"/> as UTF-8 (on a JSON stream: one message, <paramref name="text"/> being its JSON).</summary>
    public Task AppendAsync(string text, CancellationToken cancellationToken = default) => AppendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Appends <paramref name="message"/> to a JSON stream as one message.</summary>
    public Task AppendJsonAsync(JsonElement message, CancellationToken cancellationToken = default) =>
        AppendAsync(Encoding.UTF8.GetBytes(message.GetRawText()), cancellationToken);

    /// <summary>Appends bytes (on a JSON stream: one message's JSON). Completes once durable; throws <see cref="SwitchboardApiException"/> when refused.</summary>
    public Task AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _pending.Add(data.ToArray());
            var done = _batch.Task;
            if (!_sending)
            {
                _sending = true;
                _ = SendLoopAsync();
            }

            return done.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Sends what is pending, one request at a time, until nothing is.</summary>
    private async Task SendLoopAsync()
    {
        while (true)
        {
            List<byte[]> chunks;
            TaskCompletionSource batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _sending = false;
                    return;
                }

                (chunks, batch) = (_pending, _batch);
                (_pending, _batch) = ([], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            try
            {
                await SendAsync(Body(chunks)).ConfigureAwait(false);
                batch.SetResult();
            }
            catch (Exception ex)
            {
                batch.SetException(ex);
            }
        }
    }

    private async Task SendAsync(byte[] body)
    {
        if (!_created)
        {
            // A create of a stream that exists with the same content type is a 200, so a restarted producer goes on.
            await _api.SendAsync(HttpMethod.Put, _path, [], _contentType, [], RetryMode.Always, _ => true, CancellationToken.None).ConfigureAwait(false);
            _created = true;
        }

        (string, string)[] producer =
        [
            ("Producer-Id", _producer), ("Producer-Epoch", _epoch.ToString(CultureInfo.InvariantCulture)), ("Producer-Seq", _seq.ToString(CultureInfo.InvariantCulture)),
        ];
        try
        {
            await _api.SendAsync(HttpMethod.Post, _path, body, _contentType, producer, RetryMode.Always, _ => true, CancellationToken.None).ConfigureAwait(false);
            _seq++;
        }
        catch
        {
            // Whether the server applied it is unknown: a new epoch starts from seq 0, so a later batch can never be
            // mistaken for a retry of this one (and dropped as a duplicate).
            _epoch++;
            _seq = 0;
            throw;
        }
    }

    /// <summary>The request body: the bytes in order, or on a JSON stream an array of the messages (the server flattens it one level).</summary>
    private byte[] Body(List<byte[]> chunks)
    {
        if (!_json)
        {
            return chunks.Count == 1 ? chunks[0] : [.. chunks.SelectMany(c => c)];
        }

        using var buffer = new MemoryStream();
        buffer.WriteByte((byte)'[');
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(chunks[i]);
        }

        buffer.WriteByte((byte)']');
        return buffer.ToArray();
    }
}
