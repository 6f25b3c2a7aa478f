using System.Threading.Channels;

namespace Switchboard.Client;

/// <summary>Commands: what the handle learns from its answers (and its session's topic), handed to the agent's code once each.</summary>
public sealed partial class SessionHandle
{
    private const int MaxWaitingCommands = 1024;

    private readonly Channel<SessionCommand> _commands = Channel.CreateBounded<SessionCommand>(new BoundedChannelOptions(MaxWaitingCommands)
    {
        SingleReader = false,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
        FullMode = BoundedChannelFullMode.Wait, // TryWrite fails instead: the server hands the command over again after its visibility timeout
    });

    private readonly HashSet<string> _seenCommands = new(StringComparer.Ordinal); // under _gate
    private readonly Task _listener;

    /// <summary>
    /// The commands an operator or a rule issued to this session, each once, in the order the handle learnt them: from the
    /// answers to its updates, usage and heartbeats (a handle with a lease heartbeats every third of it), and, with
    /// <see cref="SwitchboardClientOptions.ReceiveCommandsOverSocket"/>, from its session's topic the moment they are issued.
    /// The server hands a command over again when it is not acknowledged within its visibility timeout (the server's
    /// <c>Commands:RedeliverAfter</c>, 30 s: at least once, so an answer lost on the way loses nothing); the handle drops
    /// the repeats by id.
    /// Acknowledge each with <see cref="AcknowledgeAsync"/>. Enumerate it once; it ends when the handle is disposed.
    /// </summary>
    public IAsyncEnumerable<SessionCommand> Commands => _commands.Reader.ReadAllAsync();

    /// <summary>
    /// Answers a command (<c>POST …/commands/{cid}/ack</c>): <see cref="CommandOutcome.Done"/> once done,
    /// <see cref="CommandOutcome.Rejected"/> or <see cref="CommandOutcome.Failed"/> with a note otherwise. Safe to retry.
    /// </summary>
    /// <exception cref="SwitchboardApiException">409 when the command expired or was withdrawn first, or was answered differently.</exception>
    public Task<SessionCommand> AcknowledgeAsync(SessionCommand command, CommandOutcome outcome = CommandOutcome.Done, string? note = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return _client.AcknowledgeCommandAsync(Id, command.Id, outcome, note, cancellationToken);
    }

    /// <summary>Hands commands not seen before to <see cref="Commands"/>; a command that does not fit now comes again once its visibility timeout passes.</summary>
    private void Learn(IReadOnlyList<SessionCommand> commands)
    {
        foreach (var command in commands)
        {
            if (!command.IsOutstanding || command.SessionId != Id)
            {
                continue;
            }

            lock (_gate)
            {
                if (_seenCommands.Contains(command.Id) || !_commands.Writer.TryWrite(command))
                {
                    continue;
                }

                _seenCommands.Add(command.Id);
            }
        }
    }

    /// <summary>
    /// Follows <c>session:{id}</c> for <c>command_issued</c>. The subscription resumes by seq after a reconnect; when it
    /// gets a fresh snapshot instead (events in between unknown), the outstanding commands are read over HTTP.
    /// </summary>
    private async Task ListenForCommandsAsync()
    {
        var stop = _stop.Token;
        try
        {
            await foreach (var item in _client.SubscribeAsync("session:" + Id, cancellationToken: stop).ConfigureAwait(false))
            {
                switch (item)
                {
                    case CommandEvent { Type: "command_issued" or "command_delivered" } e:
                        Learn([e.Command]);
                        break;
                    case SnapshotReset:
                        var outstanding = await _client.ListCommandsAsync(Id, [CommandState.Pending, CommandState.Delivered], stop).ConfigureAwait(false);
                        Learn(outstanding.Commands);
                        break;
                    case SessionTerminatedEvent:
                        return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is SwitchboardApiException or SwitchboardSubscriptionException or HttpRequestException or IOException)
        {
            Report(ex, willRetry: false);
        }
    }
}
