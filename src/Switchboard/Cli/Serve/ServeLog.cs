using Switchboard.Core.Diagnostics;

namespace Switchboard.Cli.Serve;

/// <summary>The executable's own log messages (<see cref="LogEventIds.Cli"/>). Never log keys, secrets or connection strings.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(LogEventIds.Cli + 0, LogLevel.Information, "Dashboard: {DashboardUrl}", EventName = "Cli.Dashboard")]
    public static partial void Dashboard(ILogger logger, string dashboardUrl);

    [LoggerMessage(LogEventIds.Cli + 1, LogLevel.Information, "Store: {Store}; data directory: {DataDirectory}", EventName = "Cli.Store")]
    public static partial void Store(ILogger logger, string store, string dataDirectory);
}
