using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// How one demo agent obeys the commands of its session: it reads <see cref="SessionHandle.Commands"/> on its own task
/// and sets flags the agent's loop acts on. A pause is acknowledged once the session is <c>paused</c>, a resume once it
/// works again, a cancel once the session has terminated with reason <c>cancelled</c>, a message once printed.
/// </summary>
internal sealed class DemoAgentControl(SessionHandle agent, TextWriter log)
{
    private readonly object _gate = new();
    private SessionCommand? _cancel;
    private SessionCommand? _pause;
    private volatile bool _paused;
    private volatile bool _cancelled;

    /// <summary>An operator cancelled the run: the agent ends with reason <c>cancelled</c>.</summary>
    public bool Cancelled => _cancelled;

    /// <summary>An operator paused the agent and has not resumed it.</summary>
    public bool Paused => _paused && !_cancelled;

    /// <summary>Reads the agent's commands until <paramref name="stop"/>; never throws.</summary>
    public async Task ObeyAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var command in agent.Commands.WithCancellation(stop))
            {
                await ObeyAsync(command, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SwitchboardApiException or HttpRequestException or IOException)
        {
            await log.WriteLineAsync($"! {agent.Id}: a command failed: {ex.Message}");
        }
    }

    private async Task ObeyAsync(SessionCommand command, CancellationToken stop)
    {
        await log.WriteLineAsync($"> {agent.Id}  {command.Type.ToString().ToLowerInvariant()}{(command.Text is { } t ? ": " + t : "")}");
        switch (command.Type)
        {
            case CommandType.Cancel:
                lock (_gate)
                {
                    _cancel = command;
                }

                _cancelled = true; // acknowledged by ConfirmCancelAsync once the session has ended
                break;
            case CommandType.Pause:
                lock (_gate)
                {
                    _pause = command;
                }

                _paused = true; // acknowledged by HoldAsync once the session is paused
                break;
            case CommandType.Resume:
                _paused = false;
                await agent.AcknowledgeAsync(command, CommandOutcome.Done, cancellationToken: stop);
                break;
            default:
                await agent.AcknowledgeAsync(command, CommandOutcome.Done, "read", stop);
                break;
        }
    }

    /// <summary>Called by the agent's loop while paused: enter <c>paused</c> once (then acknowledge the pause), and wait a moment.</summary>
    public Task HoldAsync(ref SessionState state, CancellationToken stop)
    {
        if (state != SessionState.Paused)
        {
            state = SessionState.Paused;
            agent.SetState(state);
            agent.SetTasksRunning(0);
        }

        return HoldCoreAsync(stop);
    }

    /// <summary>How long one <see cref="HoldAsync"/> waits.</summary>
    private static readonly TimeSpan HoldStep = TimeSpan.FromMilliseconds(200);

    private async Task HoldCoreAsync(CancellationToken stop)
    {
        SessionCommand? pause;
        lock (_gate)
        {
            pause = _pause;
            _pause = null;
        }

        try
        {
            if (pause is not null)
            {
                await agent.FlushAsync(stop);
                await agent.AcknowledgeAsync(pause, CommandOutcome.Done, cancellationToken: stop);
            }

            await Task.Delay(HoldStep, stop);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SwitchboardApiException or HttpRequestException or IOException)
        {
            await log.WriteLineAsync($"! {agent.Id}: acknowledging the pause failed: {ex.Message}");
        }
    }

    /// <summary>After the session terminated: acknowledge the cancel that ended it, if one did.</summary>
    public async Task ConfirmCancelAsync()
    {
        SessionCommand? cancel;
        lock (_gate)
        {
            cancel = _cancel;
            _cancel = null;
        }

        if (cancel is null)
        {
            return;
        }

        try
        {
            await agent.AcknowledgeAsync(cancel, CommandOutcome.Done, "terminated with reason cancelled", CancellationToken.None);
        }
        catch (Exception ex) when (ex is SwitchboardApiException or HttpRequestException or IOException)
        {
            await log.WriteLineAsync($"! {agent.Id}: acknowledging the cancel failed: {ex.Message}");
        }
    }
}
