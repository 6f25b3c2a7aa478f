using System.CommandLine;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Switchboard.Security;
using Switchboard.Hosting;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Cli;

/// <summary><c>switchboard serve</c>: runs the server. Everything not named here passes through to ASP.NET Core configuration.</summary>
internal static class ServeCommand
{
    private static readonly Option<string> Urls = new("--urls")
    {
        Description = $"Addresses to listen on (default {SwitchboardDefaults.Urls}).",
    };

    private static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = "Where the SQLite database lives (default ./data, or SWITCHBOARD_DATA_DIR).",
    };

    private static readonly Option<SqliteDurability?> Durability = new("--durability")
    {
        Description = "SQLite commit durability: Normal (survives kill -9) or Full (fsync per commit, survives power loss).",
    };

    private static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Allow listening beyond loopback with no API keys: anyone who can reach the port can read and write. Only on a trusted network.",
    };

    /// <summary>Comma-separated API keys, each optionally followed by :read or :write (the default). Any key turns auth on.</summary>
    public const string ApiKeysVariable = "SWITCHBOARD_API_KEYS";

    /// <summary>The subscriber-token signing secret (at least 32 characters); generated into the data directory when unset.</summary>
    public const string TokenSecretVariable = "SWITCHBOARD_TOKEN_SECRET";

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
        StoreSelection.AddTo(command);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) => RunAsync(result, cancellationToken));
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. result.UnmatchedTokens] });
        // The content root is the working directory, so the appsettings.json shipped next to the executable was only
        // read when started from there (elsewhere every request was logged at Information). It is now the lowest-
        // precedence source: an appsettings.json in the working directory, environment variables and arguments override it.
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });
        var urls = result.GetValue(Urls) ?? builder.Configuration["urls"] ?? SwitchboardDefaults.Urls;
        builder.WebHost.UseUrls(urls);
        // Kestrel's own limit would answer 413 without a problem body; Switchboard enforces its limit itself.
        // Phoenix WebSockets are accepted at the connection level, so an idle socket keeps no HTTP request alive
        // (docs/benchmarks.md); Switchboard:ConnectionLevelWebSockets=false serves them through the HTTP endpoint instead.
        var connectionLevel = builder.Configuration.GetValue("Switchboard:ConnectionLevelWebSockets", defaultValue: true);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
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
        var dataDir = result.GetValue(DataDir) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_DATA_DIR");
        var durability = result.GetValue(Durability);
        var storeFactory = StoreSelection.Factory(result);
        var insecure = result.GetValue(Insecure);
        var apiKeys = Environment.GetEnvironmentVariable(ApiKeysVariable);
        var tokenSecret = Environment.GetEnvironmentVariable(TokenSecretVariable);
        builder.Services.AddSwitchboard(options =>
        {
            builder.Configuration.GetSection("Switchboard").Bind(options);
            options.Security.AddApiKeys(apiKeys);
            if (!string.IsNullOrEmpty(tokenSecret))
            {
                options.Security.TokenSigningKey = tokenSecret;
            }

            options.Security.AllowInsecure |= insecure;
            if (dataDir is not null)
            {
                options.DataDirectory = dataDir;
            }

            if (durability is { } d)
            {
                options.SqliteDurability = d;
            }

            options.StoreFactory = storeFactory ?? options.StoreFactory;
        });

        var app = builder.Build();
        var security = app.Services.GetRequiredService<SwitchboardOptions>().Security;
        if (ListenAddresses.ExposureProblem(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), security) is { } exposed)
        {
            // Before anything binds: a clear message and no stack trace.
            await Console.Error.WriteLineAsync("switchboard: " + exposed);
            return 1;
        }

        app.MapSwitchboard();
        app.ReloadSwitchboardApiKeysOnChange(builder.Configuration.GetSection("Switchboard:Security"), apiKeys);
        try
        {
            await app.RunAsync(cancellationToken);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Switchboard", StringComparison.Ordinal))
        {
            // Start-up refused by Switchboard's own checks (security settings, exposure): the message says what to do.
            await Console.Error.WriteLineAsync("switchboard: " + ex.Message);
            return 1;
        }

        return 0;
    }
}
