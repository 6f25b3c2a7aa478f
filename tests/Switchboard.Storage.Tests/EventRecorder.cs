using Switchboard.Core.Events;
using Switchboard.Core.Storage;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>An event sink that keeps everything a feed delivered, in delivery order.</summary>
public sealed class EventRecorder : IEventSink
{
    private readonly List<EventRecord> _events = [];

    public List<EventRecord> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public List<long> Seqs => Events.ConvertAll(e => e.Seq);

    public void OnCommitted(IReadOnlyList<EventRecord> events)
    {
        lock (_events)
        {
            _events.AddRange(events);
        }
    }

    /// <summary>Waits until an event with <paramref name="seq"/> or later was delivered.</summary>
    public Task ReachedAsync(long seq, TimeSpan? timeout = null) =>
        TestTimeouts.Eventually(() => Events is [.., var last] && last.Seq >= seq, $"the feed to deliver seq {seq} (has {string.Join(',', Seqs)})", timeout);
}
