using System.Reflection;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>
/// One registry of log event ids (<see cref="LogEventIds"/>): every <c>[LoggerMessage]</c> in Switchboard's assemblies has
/// an id no other message has, inside the range of the component that declares it, and a name no other message has,
/// <c>Component.Event</c>, so logs can be filtered on a named event.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly (string Namespace, int Base, string Component)[] Ranges =
    [
        ("Switchboard.Server.Hosting", LogEventIds.Hosting, nameof(LogEventIds.Hosting)),
        ("Switchboard.Server.Security", LogEventIds.Security, nameof(LogEventIds.Security)),
        ("Switchboard.Storage.Postgres", LogEventIds.Postgres, nameof(LogEventIds.Postgres)),
        ("Switchboard.Storage.Sqlite", LogEventIds.Sqlite, nameof(LogEventIds.Sqlite)),
        ("Switchboard.Server.Ingest", LogEventIds.Ingest, nameof(LogEventIds.Ingest)),
        ("Switchboard.Server.Live", LogEventIds.Live, nameof(LogEventIds.Live)),
        ("Switchboard.Server.Phoenix", LogEventIds.Phoenix, nameof(LogEventIds.Phoenix)),
        ("Switchboard.Server.Transports", LogEventIds.Transports, nameof(LogEventIds.Transports)),
        ("Switchboard.Server.Http", LogEventIds.Http, nameof(LogEventIds.Http)),
        ("Switchboard.Server.Metrics", LogEventIds.Metrics, nameof(LogEventIds.Metrics)),
        ("Switchboard.Cli", LogEventIds.Cli, nameof(LogEventIds.Cli)),
        ("Switchboard.Server.Alerts", LogEventIds.Alerts, nameof(LogEventIds.Alerts)),
        ("Switchboard.Server.Webhooks", LogEventIds.Webhooks, nameof(LogEventIds.Webhooks)),
        ("Switchboard.Server.Otlp", LogEventIds.Otlp, nameof(LogEventIds.Otlp)),
        ("Switchboard.Server.Commands", LogEventIds.Commands, nameof(LogEventIds.Commands)),
        ("Switchboard.Server.Streams", LogEventIds.Streams, nameof(LogEventIds.Streams)),
        ("Switchboard.Server.Hooks", LogEventIds.Hooks, nameof(LogEventIds.Hooks)),
        ("Switchboard.Server.Slack", LogEventIds.Slack, nameof(LogEventIds.Slack)),
        ("Switchboard.Server.Mcp", LogEventIds.Mcp, nameof(LogEventIds.Mcp)),
    ];

    // Filled by ReadMessages, so declared first.
    private static readonly Dictionary<string, LogLevel> Levels = [];

    private static readonly List<(string Method, string Namespace, int Id, string? Name)> Messages = ReadMessages();

    [Fact]
    public void EveryLogMessageHasItsOwnEventId()
    {
        var duplicates = Messages.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        duplicates.ShouldBeEmpty();
    }

    [Fact]
    public void EveryLogMessageTakesItsIdFromItsComponentsRange()
    {
        var misplaced = Messages.Where(m =>
        {
            var range = Ranges.Where(r => m.Namespace == r.Namespace || m.Namespace.StartsWith(r.Namespace + ".", StringComparison.Ordinal))
                .Select(r => (int?)r.Base).FirstOrDefault();
            return range is not { } start || m.Id < start || m.Id >= start + LogEventIds.RangeSize - (start == LogEventIds.Hosting ? 1 : 0);
        }).Select(m => $"{m.Method} ({m.Id})").ToList();
        misplaced.ShouldBeEmpty("each component logs with ids from its own range in LogEventIds");
    }

    [Fact]
    public void EveryLogMessageHasItsOwnEventName()
    {
        Messages.Where(m => string.IsNullOrWhiteSpace(m.Name)).Select(m => m.Method).ToList()
            .ShouldBeEmpty("every [LoggerMessage] sets EventName, so logs can be filtered on a named event");
        var duplicates = Messages.GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        duplicates.ShouldBeEmpty();
    }

    [Fact]
    public void EveryEventNameIsComponentDotEventForItsComponent()
    {
        // The component is the LogEventIds range the id comes from (Sqlite.CheckpointFailed, Live.LoopFaulted, ...).
        var misnamed = Messages.Where(m =>
        {
            var component = Ranges.Where(r => m.Namespace == r.Namespace || m.Namespace.StartsWith(r.Namespace + ".", StringComparison.Ordinal))
                .Select(r => r.Component).FirstOrDefault();
            var parts = (m.Name ?? "").Split('.');
            return component is null || parts.Length != 2 || parts[0] != component || parts[1].Length == 0
                || !char.IsUpper(parts[1][0]) || !parts[1].All(char.IsAsciiLetterOrDigit);
        }).Select(m => $"{m.Method}: {m.Name}").ToList();
        misnamed.ShouldBeEmpty("EventName is Component.Event, with the component of the id's LogEventIds range");
    }

    [Fact]
    public void TheLivePathLogsItsLifecycleAndItsCrashes()
    {
        // Every component of the live path has Debug lifecycle messages and Error (or worse) crash messages.
        foreach (var component in new[] { "Switchboard.Server.Ingest", "Switchboard.Server.Live", "Switchboard.Server.Phoenix", "Switchboard.Server.Transports", "Switchboard.Server.Http" })
        {
            var levels = Messages.Where(m => m.Namespace.StartsWith(component, StringComparison.Ordinal)).Select(m => Level(m.Method)).ToList();
            levels.ShouldContain(LogLevel.Error, $"{component} logs its crashes");
            if (component != "Switchboard.Server.Http")
            {
                levels.ShouldContain(LogLevel.Debug, $"{component} logs its lifecycle");
            }
        }
    }

    private static LogLevel Level(string method) => Levels[method];

    private static List<(string, string, int, string?)> ReadMessages()
    {
        var directory = AppContext.BaseDirectory;
        var assemblies = Directory.EnumerateFiles(directory, "Switchboard.*.dll")
            .Where(p => !Path.GetFileName(p).Contains(".Tests", StringComparison.Ordinal) && !Path.GetFileName(p).Contains("Testing", StringComparison.Ordinal))
            .Select(Assembly.LoadFrom)
            .Append(Assembly.LoadFrom(RepoPaths.ServerDll))
            .ToList();
        assemblies.Select(a => a.GetName().Name).ShouldContain("Switchboard.Storage.Postgres");
        var messages = new List<(string, string, int, string?)>();
        foreach (var assembly in assemblies)
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        var name = $"{type.FullName}.{method.Name}";
                        messages.Add((name, type.Namespace ?? "", attribute.EventId, attribute.EventName));
                        Levels[name] = attribute.Level;
                    }
                }
            }
        }

        messages.Count.ShouldBeGreaterThan(30);
        return messages;
    }
}
