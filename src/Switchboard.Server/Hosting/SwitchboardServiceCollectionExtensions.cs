using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Alerts;
using Switchboard.Server.Health;
using Switchboard.Server.Hosting;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Metrics;
using Switchboard.Server.Options;
using Switchboard.Server.Options.Validation;
using Switchboard.Server.Security;
using Switchboard.Server.Streams;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.LongPoll;
using Switchboard.Server.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Switchboard in an ASP.NET Core app.</summary>
public static class SwitchboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds Switchboard's services: the group commit, the live fan-out and the in-process <see cref="ISwitchboardProducer"/>.
    /// Name the store on what this returns: <c>.UseSqlite(o => …)</c> (Switchboard.Storage.Sqlite) or
    /// <c>.UsePostgres(connectionString)</c> (Switchboard.Storage.Postgres); without one the host refuses to start. Then
    /// call <c>app.MapSwitchboard()</c>. Every setting is checked at start, and one out of range stops it with a line
    /// naming the setting, its value and what is allowed.
    /// </summary>
    public static ISwitchboardBuilder AddSwitchboard(this IServiceCollection services, Action<SwitchboardOptions>? configure = null)
    {
        var options = services.AddOptions<SwitchboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddSwitchboardCore(services);
    }

    /// <summary>
    /// As <see cref="AddSwitchboard(IServiceCollection, Action{SwitchboardOptions}?)"/>, with the settings bound from
    /// <paramref name="configuration"/> (the <c>Switchboard</c> section) and then <paramref name="configure"/>. API keys
    /// follow the configuration when it reloads: a new key works from the next request, a removed one stops working.
    /// </summary>
    public static ISwitchboardBuilder AddSwitchboard(this IServiceCollection services, IConfiguration configuration, Action<SwitchboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The node's options are bound once, without change tracking: a reload must not re-run validation on a
        // configuration thread. A named copy follows reloads for the API keys alone (ApiKeyReload).
        var options = services.AddOptions<SwitchboardOptions>().Configure(o => RenamedSettings.Bind(configuration, o));
        var reloading = services.AddOptions<SwitchboardOptions>(ApiKeyReload.OptionsName).Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
            reloading.Configure(configure);
        }

        services.AddHostedService<ApiKeyReload>();
        var renamed = RenamedSettings.Found(configuration);
        services.AddHostedService(sp => new DeprecatedSettings(renamed, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DeprecatedSettings>>()));
        return AddSwitchboardCore(services);
    }

    private static ISwitchboardBuilder AddSwitchboardCore(IServiceCollection services)
    {
        RefuseBareLineFeeds();
        services.AddOptions<SwitchboardOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, SwitchboardOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<BackgroundLoops>>();
            return new BackgroundLoops(failure => SwitchboardLog.LoopFailed(logger, failure));
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<SwitchboardOptions>().Sockets);
        services.TryAddSingleton(sp => sp.GetRequiredService<SwitchboardOptions>().Security);
        services.TryAddSingleton<ApiKeyRing>();
        services.TryAddSingleton<CallerNames>();
        services.TryAddSingleton<TokenSecret>();
        services.TryAddSingleton(sp => new Switchboard.Core.Trees.TreeCursor(() =>
            sp.GetRequiredService<SwitchboardOptions>().Security.AuthEnabled ? sp.GetRequiredService<TokenSecret>().Key.Key : null));
        services.TryAddSingleton<SubscriberTokens>();
        services.TryAddSingleton<JoinAuthorizer>();
        services.TryAddSingleton<StreamAuthenticator>();
        services.TryAddSingleton<OriginPolicy>();
        services.TryAddSingleton<WriteRateLimiter>();
        services.TryAddSingleton<SecurityGuard>();
        // Before the runtime: bad security settings stop start-up before the store is even opened.
        services.AddHostedService(sp => sp.GetRequiredService<SecurityGuard>());
        // Replaced by UseSqlite, UsePostgres or UseStore; left alone, start-up stops here with what to call.
        services.TryAddSingleton<ISessionStore>(_ => throw new SwitchboardStartupException(NoStore));
        services.TryAddSingleton(_ => NodeDirectory.Default);
        services.TryAddSingleton(sp => sp.GetRequiredService<SwitchboardOptions>().Usage.ToStoreOptions());
        services.TryAddSingleton(sp => new Switchboard.Core.Streams.StreamPolicy(sp.GetRequiredService<SwitchboardOptions>().Streams.RetainAfterEnd));
        services.TryAddSingleton(sp => sp.GetRequiredService<ISessionStore>() as IAlertStore
            ?? throw new InvalidOperationException("The configured store does not keep alerts (it must implement IAlertStore)."));
        services.TryAddSingleton(sp => sp.GetRequiredService<ISessionStore>() as IRequestStore<Command, CommandState>
            ?? throw new InvalidOperationException("The configured store does not keep commands (it must implement IRequestStore<Command, CommandState>)."));
        services.TryAddSingleton(sp => sp.GetRequiredService<ISessionStore>() as IRequestStore<Approval, ApprovalState>
            ?? throw new InvalidOperationException("The configured store does not keep approvals (it must implement IRequestStore<Approval, ApprovalState>)."));
        services.TryAddSingleton(sp => sp.GetRequiredService<ISessionStore>() as ITreeStore
            ?? throw new InvalidOperationException("The configured store does not read session trees (it must implement ITreeStore)."));
        services.TryAddSingleton<IWebhookStatusSource, WebhookStatusFeed>();
        services.TryAddSingleton<LiveHub>();
        services.TryAddSingleton<IWriteThrottle>(sp => sp.GetRequiredService<LiveHub>());
        services.TryAddSingleton<GroupCommit>();
        services.TryAddSingleton<WriteIntake>();
        services.TryAddSingleton<ISwitchboardProducer, SwitchboardProducer>();
        services.TryAddSingleton<LiveReads>();
        services.TryAddSingleton<JoinCoordinator>();
        services.TryAddSingleton<NodeReadiness>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<LongPollRegistry>();
        services.TryAddSingleton<LeaseMonitor>();
        services.TryAddSingleton<ConfiguredAlertRules>();
        services.TryAddSingleton<AlertEvaluator>();
        services.TryAddSingleton<Switchboard.Server.Commands.CommandWatch>();
        services.TryAddSingleton<RequestExpiry>();
        services.TryAddSingleton(sp => Switchboard.Server.Approvals.HoldingNode.For(sp.GetRequiredService<ISessionStore>()));
        services.TryAddSingleton<Switchboard.Server.Approvals.ApprovalHolds>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.TryAddSingleton<WebhookUrlPolicy>();
        services.TryAddSingleton<Switchboard.Server.Slack.SlackNotifier>();
        services.TryAddSingleton(sp => (IWebhookStore)sp.GetRequiredService<WebhookDispatcher>().Store);
        services.TryAddSingleton<RetentionService>();
        services.TryAddSingleton<SwitchboardRuntime>();
        services.AddMetrics();
        services.TryAddSingleton<SwitchboardMetrics>();
        services.TryAddSingleton<PrometheusExporter>();
        // Before the runtime, so the instruments exist before the first write.
        services.AddHostedService<MetricsService>();
        services.AddHostedService(sp => sp.GetRequiredService<SwitchboardRuntime>());
        services.TryAddSingleton<Switchboard.Server.Otlp.QuietMonitor>();
        services.TryAddSingleton<Switchboard.Server.Otlp.OtlpReceiver>();
        services.TryAddSingleton<Switchboard.Server.Otlp.OtlpRequestGate>();
        services.TryAddSingleton<Switchboard.Server.Http.RequestBodyBudget>();
        services.TryAddSingleton<Switchboard.Server.Hooks.HookReceiver>();
        // After the runtime: it stops first, before the group commit it writes through.
        services.AddHostedService(sp => sp.GetRequiredService<Switchboard.Server.Otlp.QuietMonitor>());
        services.TryAddSingleton<Switchboard.Server.Otlp.Grpc.OtlpGrpcListener>();
        services.AddHostedService(sp => sp.GetRequiredService<Switchboard.Server.Otlp.Grpc.OtlpGrpcListener>());
        services.TryAddSingleton(sp => sp.GetRequiredService<ISessionStore>() as Switchboard.Core.Streams.IStreamStore
            ?? throw new InvalidOperationException("The configured store does not keep durable streams (it must implement IStreamStore)."));
        services.TryAddSingleton<Switchboard.Server.Streams.StreamWatch>();
        services.TryAddSingleton<Switchboard.Server.Streams.TopicStreamReader>();
        services.TryAddSingleton<StreamSweeper>();
        // After the runtime: the store is open when it starts the stream feed, and it stops before the pipeline it writes through.
        services.AddHostedService(sp => sp.GetRequiredService<StreamSweeper>());
        SwitchboardOpenApi.AddDocument(services);
        services.TryAddSingleton<SwitchboardOpenApi.OpenApiText>();
        // After the runtime: the MCP server's updates follow the live loop it starts.
        Switchboard.Server.Mcp.McpSetup.AddServices(services);
        services.TryAddSingleton<SwitchboardMarker>();
        return new SwitchboardBuilder(services);
    }

    private const string NoStore =
        "No store was chosen for Switchboard: call .UseSqlite(o => o.DataDirectory = \"data\") (package Switchboard.Storage.Sqlite) " +
        "or .UsePostgres(connectionString) (package Switchboard.Storage.Postgres) on what AddSwitchboard returns.";

    /// <summary>
    /// Kestrel accepts a bare LF as a line end unless told otherwise; a proxy in front that does not would read the same
    /// bytes as another request (request smuggling). Switchboard has Kestrel answer 400 instead, unless the host has
    /// already set the switch itself.
    /// </summary>
    private static void RefuseBareLineFeeds()
    {
        const string Switch = "Microsoft.AspNetCore.Server.Kestrel.DisableHttp1LineFeedTerminators";
        if (!AppContext.TryGetSwitch(Switch, out _))
        {
            AppContext.SetSwitch(Switch, true);
        }
    }
}

/// <summary>What <c>AddSwitchboard</c> returns.</summary>
internal sealed class SwitchboardBuilder(IServiceCollection services) : ISwitchboardBuilder
{
    public IServiceCollection Services { get; } = services;
}
