using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Hosting;
using Switchboard.Server.Options;
using Switchboard.Server.Otlp.Options;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Cli.Serve;

/// <summary>
/// <c>switchboard serve</c>: runs the server. Settings not named here pass through to ASP.NET Core configuration as
/// <c>--Section:Key=value</c>. Whatever stops it from starting is one line on stderr and exit code 1.
/// </summary>
internal static class ServeVerb
{
    private static readonly Option<string> Urls = new("--urls")
    {
        Description = $"Addresses to listen on, ';'-separated (default {SwitchboardDefaults.Urls}).",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (ListenUrls.Problem(text, "--urls") is { } problem)
            {
                r.AddError(problem);
            }

            return text;
        },
    };

    private static readonly Option<string> OtlpGrpcUrls = new("--otlp-grpc-urls")
    {
        Description = $"Where OTLP/gRPC listens (HTTP/2 cleartext), ';'-separated; empty turns it off (default {OtlpOptions.DefaultGrpcUrls}, best effort).",
    };

    private static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = $"Where the SQLite database and the token secret live (default ./data of the working directory, or {Settings.DataDirVariable}, or {Settings.DataDirectoryKey}).",
    };

    private static readonly Option<SqliteDurability?> Durability = OptionValues.OneOf<SqliteDurability>("--durability",
        "SQLite commit durability: Normal (survives kill -9) or Full (fsync per commit, survives power loss).");

    private static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Allow listening beyond loopback with no API keys: anyone who can reach the port can read and write. Only on a trusted network.",
    };

    /// <summary>The host's own logger; it would print a start-up failure with its stack trace before the one line does.</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static Command Create()
    {
        var serve = new Command("serve", "Run the Switchboard server (the default command).");
        Configure(serve);
        return serve;
    }

    /// <summary>Adds serve's options and action to a command (the root command serves too).</summary>
    public static void Configure(Command command)
    {
        command.Options.Add(Urls);
        command.Options.Add(DataDir);
        command.Options.Add(Durability);
        command.Options.Add(Insecure);
        command.Options.Add(OtlpGrpcUrls);
        StoreSelection.AddTo(command);
        // Left-over tokens are configuration (--Section:Key=value); CommandLineErrors refuses anything else before this runs.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) => RunAsync(result, cancellationToken));
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var verbose = result.GetValue(SwitchboardCommandLine.Verbose);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [SettingsFileWatch.HostReloadOff, .. result.UnmatchedTokens] });
        SettingsFileWatch.PollInstead(builder.Configuration, builder.Environment.ContentRootPath);
        Settings.AddDefaults(builder.Configuration);
        if (!verbose)
        {
            builder.Logging.AddFilter(HostCategory, LogLevel.Critical);
        }

        var (urls, urlsSource) = result.GetValue(Urls) is { } fromOption ? (fromOption, "--urls")
            : builder.Configuration["urls"] is { } configured ? (configured, Settings.Origin(builder.Configuration, "urls"))
            : (SwitchboardDefaults.Urls, "the default");
        builder.WebHost.UseUrls(urls);
        ConfigureKestrel(builder);
        var dataDir = Settings.DataDirectory(result.GetValue(DataDir), builder.Configuration);
        var insecure = result.GetValue(Insecure);

        // First an unvalidated copy, bound as the server will bind it: the preflight says which variable or file a bad
        // value came from, which the validators (they see only the merged options) cannot.
        var preview = new SwitchboardOptions();
        try
        {
            Settings.Apply(preview, builder.Configuration);
        }
        catch (InvalidOperationException ex) when (ConfigurationProblem.Describe(ex, builder.Configuration) is { } line)
        {
            await SwitchboardCommandLine.ReportAsync(ex, verbose, line);
            return SwitchboardCommandLine.Failure;
        }

        preview.Security.AllowInsecure |= insecure;
        if (ServePreflight.Problem(preview, urls, urlsSource) is { } problem)
        {
            // Before anything binds or opens: a clear message and no stack trace.
            await Console.Error.WriteLineAsync("switchboard: " + problem);
            return SwitchboardCommandLine.Failure;
        }

        var grpcUrls = result.GetValue(OtlpGrpcUrls);
        var grpcConfigured = builder.Configuration["Switchboard:Otlp:GrpcUrls"] is not null;
        var switchboardBuilder = builder.Services.AddSwitchboard(builder.Configuration.GetSection("Switchboard"), options =>
        {
            Settings.ApplyVariables(options);
            options.Security.AllowInsecure |= insecure;
            // OTLP/gRPC: the option, else the configuration (an empty value turns it off), else the default, best effort.
            if (grpcUrls is not null)
            {
                options.Otlp.GrpcUrls = grpcUrls;
            }
            else if (!grpcConfigured)
            {
                options.Otlp.GrpcUrls = OtlpOptions.DefaultGrpcUrls;
                options.Otlp.GrpcBestEffort = true;
            }
        });
        // The process's heaps give their free memory back (glibc keeps free pages in its arenas, and a quiet server may not
        // collect for minutes): once per process, so here and not in AddSwitchboard, which a process may call for several nodes.
        builder.Services.AddHostedService<HeapTrim>();
        if (StoreSelection.Use(switchboardBuilder, result, builder.Configuration, dataDir, result.GetValue(Durability), out var connectionString) is { } storeProblem)
        {
            await Console.Error.WriteLineAsync("switchboard: " + storeProblem);
            return SwitchboardCommandLine.Failure;
        }

        var app = builder.Build();
        try
        {
            // Validates every setting now, before anything binds or opens.
            _ = app.Services.GetRequiredService<SwitchboardOptions>();
        }
        catch (OptionsValidationException ex)
        {
            await SwitchboardCommandLine.ReportAsync(ex, verbose, StartupFailure.Describe(ex, connectionString));
            return SwitchboardCommandLine.Failure;
        }

        try
        {
            // Mapping resolves the store, whose own settings are checked then.
            app.MapSwitchboard();
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A store setting that does not bind (Switchboard:Sqlite:Durability=Sometimes) fails here, when the store is made.
            var line = ConfigurationProblem.Describe(StartupFailure.Unwrap(ex), builder.Configuration) ?? StartupFailure.Describe(ex, connectionString);
            await SwitchboardCommandLine.ReportAsync(ex, verbose, line);
            return SwitchboardCommandLine.Failure;
        }

        Announce(app, dataDir, connectionString);
        StartUpMemory.Return(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartUpMemory)), app.Services.GetRequiredService<TimeProvider>());
        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder)
    {
        // Kestrel's own limit would answer 413 without a problem body; Switchboard enforces its limit itself.
        // Phoenix WebSockets are accepted at the connection level, so an idle socket keeps no HTTP request alive
        // (docs/benchmarks.md); Switchboard:ConnectionLevelWebSockets=false serves them through the HTTP endpoint instead.
        var connectionLevel = builder.Configuration.GetValue("Switchboard:ConnectionLevelWebSockets", defaultValue: true);
        // Every request head, not only a socket handshake's, has the handshake timeout to arrive (Kestrel's default is 30 s).
        var headTimeout = RenamedSettings.Socket(builder.Configuration, "HandshakeTimeout", SwitchboardDefaults.HandshakeTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Limits.RequestHeadersTimeout = headTimeout;
            if (connectionLevel)
            {
                k.ConfigureEndpointDefaults(listen => listen.UseSwitchboardWebSockets());
            }
        });
        // A socket send then runs inside the flush that queued it, not one thread-pool hop later on Kestrel's I/O queue:
        // fewer, fuller writes under load, and Kestrel's pinned buffers no longer pile up during a connection storm
        // (docs/benchmarks.md). Safe because no Switchboard handler blocks; Switchboard:InlineSocketScheduling=false turns it off.
        var inline = builder.Configuration.GetValue("Switchboard:InlineSocketScheduling", defaultValue: true);
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);
    }

    /// <summary>Once listening: where the dashboard is and where the data lives, and the address on the data directory's lock.</summary>
    private static void Announce(WebApplication app, string dataDirectory, string? connectionString)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Serve");
        var store = app.Services.GetRequiredService<ISessionStore>();
        if (store is SqliteSessionStore { DirectoryLock: { } directoryLock } && addresses.Count > 0)
        {
            directoryLock.RecordAddress(string.Join(", ", addresses));
        }

        if (addresses.Count > 0)
        {
            ServeLog.Dashboard(logger, DashboardUrl(addresses[0]));
        }

        ServeLog.Store(logger, StoreSelection.Describe(app.Services, connectionString), Path.GetFullPath(dataDirectory));
    }

    /// <summary>An address to open in a browser on this machine: a wildcard host becomes localhost.</summary>
    private static string DashboardUrl(string address)
    {
        var uri = new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "[::]" ? "localhost" : uri.Host;
        return new UriBuilder(uri) { Host = host, Path = "/" }.Uri.ToString();
    }
}
