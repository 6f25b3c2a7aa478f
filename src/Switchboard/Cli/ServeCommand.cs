using System.CommandLine;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
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
        builder.WebHost.UseUrls(result.GetValue(Urls) ?? builder.Configuration["urls"] ?? SwitchboardDefaults.Urls);
        // Kestrel's own limit would answer 413 without a problem body; Switchboard enforces its limit itself.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        // A socket send then runs inside the flush that queued it, not one thread-pool hop later on Kestrel's I/O queue:
        // fewer, fuller writes under load, and Kestrel's pinned buffers no longer pile up during a connection storm
        // (docs/benchmarks.md). Safe because no Switchboard handler blocks; Switchboard:InlineSocketScheduling=false turns it off.
        var inline = builder.Configuration.GetValue("Switchboard:InlineSocketScheduling", defaultValue: true);
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = inline);
        var dataDir = result.GetValue(DataDir) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_DATA_DIR");
        var durability = result.GetValue(Durability);
        builder.Services.AddSwitchboard(options =>
        {
            builder.Configuration.GetSection("Switchboard").Bind(options);
            if (dataDir is not null)
            {
                options.DataDirectory = dataDir;
            }

            if (durability is { } d)
            {
                options.SqliteDurability = d;
            }
        });

        var app = builder.Build();
        app.MapSwitchboard();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
