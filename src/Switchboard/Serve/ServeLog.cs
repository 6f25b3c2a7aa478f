namespace Switchboard.Cli.Serve;

/// <summary>The executable's own log messages (event ids 900–949). Never log keys, secrets or connection strings.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(900, LogLevel.Information, "Dashboard: {DashboardUrl}")]
    public static partial void Dashboard(ILogger logger, string dashboardUrl);

    [LoggerMessage(901, LogLevel.Information, "Store: {Store}; data directory: {DataDirectory}")]
    public static partial void Store(ILogger logger, string store, string dataDirectory);
}
