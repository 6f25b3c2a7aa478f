using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;

namespace EmbeddedHost;

/// <summary>Pretends to run jobs: every step uses some tokens; the last one finishes the job.</summary>
internal sealed partial class JobRunner(ISwitchboardProducer producer, IHostApplicationLifetime lifetime, ILogger<JobRunner> logger)
{
    private static readonly TimeSpan StepTime = TimeSpan.FromMilliseconds(300);

    public void Run(string sessionId, int steps) => _ = RunAsync(sessionId, steps, lifetime.ApplicationStopping);

    private async Task RunAsync(string sessionId, int steps, CancellationToken stopping)
    {
        try
        {
            for (var step = 1; step <= steps; step++)
            {
                await Task.Delay(StepTime, stopping);
                await producer.AddUsageAsync(new AddUsage(sessionId) { InputTokens = 400, OutputTokens = 120, CostUsd = 0.004m }, stopping);
                if (step == steps)
                {
                    await producer.UpdateAsync(new UpdateSession(sessionId) { State = SessionState.Idle, TasksRunning = 0 }, stopping);
                }
            }

            await producer.TerminateAsync(new TerminateSession(sessionId) { Reason = "finished" }, stopping);
        }
        catch (SwitchboardException ex) when (ex.Error.Code == "session_terminated")
        {
            // Cancelled through POST /jobs/{id}/cancel while running.
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The app is stopping; the session's lease moves it to error if nobody finishes it.
        }
        catch (Exception ex) when (ex is SwitchboardException or Switchboard.Core.Storage.StoreUnavailableException)
        {
            JobFailed(logger, sessionId, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Job {SessionId} could not report its progress")]
    private static partial void JobFailed(ILogger logger, string sessionId, Exception exception);
}
