using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>Reads a subscription one item at a time, with every wait bounded.</summary>
internal sealed class StreamReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly IAsyncEnumerator<StreamItem> _items;

    public StreamReader(SwitchboardClient client, string topic, StreamPosition? since = null, SubscribeOptions? options = null) =>
        _items = client.SubscribeAsync(topic, since, options, _cts.Token).GetAsyncEnumerator(_cts.Token);

    /// <summary>The next item; summaries are skipped unless asked for.</summary>
    public async Task<StreamItem> NextAsync(bool summaries = false, TimeSpan? timeout = null)
    {
        while (true)
        {
            if (!await _items.MoveNextAsync().AsTask().Within(timeout ?? TestTimeouts.Default))
            {
                throw new InvalidOperationException("The subscription ended.");
            }

            if (summaries || _items.Current is not SummaryEvent)
            {
                return _items.Current;
            }
        }
    }

    public async Task<T> NextAsync<T>(bool summaries = false) where T : StreamItem => (await NextAsync(summaries)).ShouldBeOfType<T>();

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _items.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
        }

        _cts.Dispose();
    }
}
