using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Background;
using Switchboard.Server.Options;

namespace Switchboard.Testing;

/// <summary>
/// A real Switchboard on real Kestrel, bound to 127.0.0.1:0 in this process, with its own data directory.
/// Logs are kept in memory and printed to the test output if start-up fails or a test asks.
/// </summary>
public sealed class SwitchboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory? _ownedData;

    private SwitchboardServer(WebApplication app, Uri baseAddress, string dataDirectory, TempDirectory? ownedData, LogBuffer logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownedData = ownedData;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TestTimeouts.Default };
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public LogBuffer Logs { get; }

    /// <summary><c>ws://127.0.0.1:port/socket/websocket?vsn=2.0.0</c>.</summary>
    public Uri WebSocketUri => new($"ws://{BaseAddress.Authority}/socket/websocket?vsn=2.0.0");

    /// <summary>
    /// Starts a server with the SQLite store in <paramref name="dataDirectory"/> (a fresh one when null), or with what
    /// <paramref name="store"/> names on the builder instead.
    /// </summary>
    public static async Task<SwitchboardServer> StartAsync(
        Action<SwitchboardOptions>? configure = null,
        TimeProvider? time = null,
        string? dataDirectory = null,
        Action<IServiceCollection>? services = null,
        string urls = "http://127.0.0.1:0",
        bool connectionLevelWebSockets = true,
        Action<ISwitchboardBuilder>? store = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var dataDir = dataDirectory ?? owned!.Path;
        var logs = new LogBuffer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        // Like the executable: WebSockets accepted at the connection level unless a test wants the HTTP endpoint path.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            if (connectionLevelWebSockets)
            {
                k.ConfigureEndpointDefaults(listen => listen.UseSwitchboardWebSockets());
            }
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        // The embedded SQLite store in the data directory unless the test names another.
        var switchboard = builder.Services.AddSwitchboard(o => configure?.Invoke(o)).UseSqlite(o => o.DataDirectory = dataDir);
        store?.Invoke(switchboard);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        try
        {
            // Mapping reads the options, so a setting out of range already stops it here.
            app.MapSwitchboard();
            await app.StartAsync().WaitAsync(TestTimeouts.Long);
        }
        catch (Exception ex)
        {
            await app.DisposeAsync();
            owned?.Dispose();
            throw new InvalidOperationException("Switchboard failed to start. Server log:\n" + logs.Dump(), ex);
        }

        // A server bound to every interface is reached through loopback.
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("//0.0.0.0:", "//127.0.0.1:", StringComparison.Ordinal);
        return new SwitchboardServer(app, new Uri(address), dataDir, owned, logs);
    }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>
    /// Long-polls for commands in a wait whose timeout is armed on the server's clock: a test on a manual clock waits for
    /// this before it moves the clock (for projects that cannot name the server's <c>CommandWatch</c>).
    /// </summary>
    public int CommandLongPollsWaiting => Get<Switchboard.Server.Commands.CommandWatch>().Waiting;

    /// <summary>An HTTP client for this server that sends <paramref name="apiKey"/> as <c>Authorization: Bearer</c>.</summary>
    public HttpClient HttpWithKey(string apiKey)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TestTimeouts.Default };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    /// <summary>Stops gracefully (stream clients get 1001); the data directory stays for a restart.</summary>
    public async Task StopAsync() => await _app.StopAsync().WaitAsync(TestTimeouts.Long);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await _app.StopAsync().WaitAsync(TestTimeouts.Long);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already stopped, or a test broke it on purpose.
        }

        await _app.DisposeAsync();
        _ownedData?.Dispose();
    }

    /// <summary>An in-memory logger provider.</summary>
    public sealed class LogBuffer : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<Entry> _entries = new();

        public string Dump() => string.Join('\n', _lines);

        /// <summary>Everything logged so far (the newest 2,000 entries), with event ids.</summary>
        public IReadOnlyList<Entry> Entries => [.. _entries];

        /// <summary>One log entry.</summary>
        public sealed record Entry(LogLevel Level, int EventId, string Category, string Message, Exception? Exception);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogBuffer owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                owner._lines.Enqueue($"{logLevel} {category}: {message}{(exception is null ? "" : " " + exception)}");
                owner._entries.Enqueue(new Entry(logLevel, eventId.Id, category, message, exception));
                while (owner._lines.Count > 2000 && owner._lines.TryDequeue(out _))
                {
                }

                while (owner._entries.Count > 2000 && owner._entries.TryDequeue(out _))
                {
                }
            }
        }
    }
}
