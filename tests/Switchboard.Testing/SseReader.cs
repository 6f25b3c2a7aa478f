using System.Threading.Channels;

namespace Switchboard.Testing;

/// <summary>One Server-Sent Events record.</summary>
public sealed record SseRecord(string? Id, string? Event, string? Data, string? Comment);

/// <summary>Reads an SSE response into records (and comment lines) as they arrive.</summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Channel<SseRecord> _records = Channel.CreateUnbounded<SseRecord>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private SseReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _loop = Task.Run(() => ReadAsync(body));
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Completes when the server ends the stream (or the reader is disposed).</summary>
    public Task Ended => _loop;

    public static async Task<SseReader> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(TestTimeouts.Default);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next record (comments included) within the timeout.</summary>
    public async Task<SseRecord> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        return await _records.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next record that is not a comment and matches.</summary>
    public async Task<SseRecord> NextEventAsync(Func<SseRecord, bool>? match = null, TimeSpan? timeout = null)
    {
        while (true)
        {
            var r = await NextAsync(timeout);
            if (r.Comment is null && (match is null || match(r)))
            {
                return r;
            }
        }
    }

    /// <summary>Every record that arrives until nothing comes for <paramref name="quiet"/>.</summary>
    public async Task<List<SseRecord>> DrainAsync(TimeSpan quiet)
    {
        var all = new List<SseRecord>();
        while (true)
        {
            try
            {
                all.Add(await NextAsync(quiet));
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                return all;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _loop.WaitAsync(TestTimeouts.Default);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A field's value: what follows the colon, less one leading space (the SSE specification's rule).</summary>
    private static string Value(string line, int colon) => line.Length > colon && line[colon] == ' ' ? line[(colon + 1)..] : line[colon..];

    private async Task ReadAsync(Stream body)
    {
        using var reader = new StreamReader(body);
        string? id = null, type = null, comment = null;
        var data = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (id is not null || type is not null || data.Count > 0 || comment is not null)
                    {
                        _records.Writer.TryWrite(new SseRecord(id, type, data.Count > 0 ? string.Join('\n', data) : null, comment));
                    }

                    id = type = comment = null;
                    data.Clear();
                }
                else if (line.StartsWith(':'))
                {
                    comment = line[1..].Trim();
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = Value(line, "event:".Length);
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Add(Value(line, "data:".Length));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _records.Writer.TryComplete();
        }
    }
}
