using System.Threading.Channels;
using Switchboard.Live;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Alerting;

/// <summary>
/// The evaluator's two bounded inboxes and its loop. Applied events come in the <see cref="LiveFeed"/> (the live loop
/// waits when it is full). Its own messages are few by construction: a tick and a rule reload are each queued at most
/// once until handled, the start's resync once, and one write is in flight at a time.
/// </summary>
internal sealed partial class AlertEvaluator
{
    /// <summary>Events taken from the feed per pass before the evaluator looks at its own messages again.</summary>
    private const int EventsPerPass = 256;

    private readonly Channel<Message> _inbox = Channel.CreateBounded<Message>(new BoundedChannelOptions(8)
    {
        SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false, FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly LiveFeed _feed;
    private int _tickQueued;
    private int _rulesQueued;

    /// <summary>Applied events and messages waiting (for the <c>switchboard.alerts.inbox</c> gauge).</summary>
    public int InboxDepth => _feed.Count + _inbox.Reader.Count;

    /// <summary>Rules changed on this node: re-read them now.</summary>
    public void RulesChanged()
    {
        if (Interlocked.Exchange(ref _rulesQueued, 1) == 0)
        {
            Post(new RulesMessage());
        }
    }

    /// <summary>
    /// Test hook: the evaluator's loop stops at its next message until <paramref name="until"/> completes, as a slow
    /// evaluator would. The returned task completes once the loop is held, so a test knows no event is taken after it.
    /// </summary>
    internal Task Hold(Task until)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new HoldMessage(until, held));
        return held.Task;
    }

    private void PostTick()
    {
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            Post(TickMessage.Instance);
        }
    }

    /// <summary>Never full (see above); a write that fails means the evaluator is stopping.</summary>
    private void Post(Message message) => _inbox.Writer.TryWrite(message);

    private async Task RunAsync()
    {
        var inbox = _inbox.Reader;
        while (!inbox.Completion.IsCompleted)
        {
            var handled = false;
            while (inbox.TryRead(out var message))
            {
                handled = true;
                if (!await HandleSafelyAsync(message))
                {
                    return;
                }
            }

            if (_feed.TakeReset() && _position >= 0 && !await HandleSafelyAsync(new ResyncMessage("the live loop rebuilt its state")))
            {
                return;
            }

            for (var i = 0; i < EventsPerPass && _feed.Reader.TryRead(out var applied); i++)
            {
                handled = true;
                if (applied.Event is { } e)
                {
                    Apply(e, applied.After);
                }
            }

            if (handled)
            {
                try
                {
                    EvaluatePass();
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    AlertLog.MessageFailed(_logger, "evaluation", ex);
                }

                continue;
            }

            var messages = inbox.WaitToReadAsync();
            var events = _feed.Reader.WaitToReadAsync();
            if (!messages.IsCompleted && !events.IsCompleted)
            {
                await Task.WhenAny(messages.AsTask(), events.AsTask());
            }
        }
    }

    /// <summary>False when the evaluator is stopping.</summary>
    private async Task<bool> HandleSafelyAsync(Message message)
    {
        try
        {
            await HandleAsync(message);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            AlertLog.MessageFailed(_logger, message.GetType().Name, ex);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    private async Task HandleAsync(Message message)
    {
        switch (message)
        {
            case TickMessage:
                Volatile.Write(ref _tickQueued, 0);
                _fullPass = true;
                _armedFor = DateTimeOffset.MaxValue;
                break;
            case RulesMessage:
                Volatile.Write(ref _rulesQueued, 0); // a change during the reload queues another
                await LoadRulesAsync();
                await SyncWindowsAsync();
                _fullPass = true;
                break;
            case ResyncMessage resync:
                await ResyncAsync(resync.Reason);
                break;
            case WritesDoneMessage done:
                Settle(done);
                break;
            case HoldMessage hold:
                hold.Held.SetResult();
                await hold.Until.WaitAsync(_stopping.Token);
                break;
        }
    }

    private abstract record Message;

    private sealed record TickMessage : Message
    {
        public static TickMessage Instance { get; } = new();
    }

    private sealed record RulesMessage : Message;

    private sealed record ResyncMessage(string Reason) : Message;

    private sealed record WritesDoneMessage(List<SessionWrite> Writes, IReadOnlyList<WriteResult>? Results, Exception? Error) : Message;

    private sealed record HoldMessage(Task Until, TaskCompletionSource Held) : Message;
}
