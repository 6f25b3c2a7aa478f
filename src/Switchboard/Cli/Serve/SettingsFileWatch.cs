using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Switchboard.Cli.Serve;

/// <summary>
/// How the executable notices a saved <c>appsettings.json</c> (the API keys rotate without a restart, docs/security.md):
/// by polling the file every few seconds, not by the host's default <c>FileSystemWatcher</c>. That watcher watches the
/// whole content root recursively, and the SQLite database lives under it (<c>./data</c>), so every WAL write woke it
/// (about 4% of the server's CPU per hook in a perf profile at 1,000 hooks/s, docs/benchmarks.md).
/// </summary>
internal static class SettingsFileWatch
{
    /// <summary>
    /// The host's own setting that makes its <c>appsettings*.json</c> sources reload through the watcher; given first
    /// on the command line, so that <see cref="PollInstead"/> can add them back polling (a later argument still wins).
    /// </summary>
    public const string HostReloadOff = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>
    /// Puts each <c>appsettings*.json</c> source back as one that reloads by polling its own file, in its place (so in
    /// its precedence). The host added them without reloading (<see cref="HostReloadOff"/>), so no watcher was made.
    /// </summary>
    public static void PollInstead(ConfigurationManager configuration, string contentRoot)
    {
        // Lives as long as the process: the configuration keeps its sources, and the poll is one stat per file every 4 s.
        var files = new PhysicalFileProvider(contentRoot) { UsePollingFileWatcher = true, UseActivePolling = true };
        var sources = configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } path } json && path.StartsWith("appsettings", StringComparison.Ordinal))
            {
                sources[i] = new JsonConfigurationSource
                {
                    Path = path,
                    Optional = json.Optional,
                    ReloadOnChange = true,
                    ReloadDelay = json.ReloadDelay,
                    FileProvider = files,
                };
            }
        }
    }
}
