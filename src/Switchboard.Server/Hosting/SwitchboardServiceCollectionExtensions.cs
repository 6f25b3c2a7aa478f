using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard;
using Switchboard.Alerting;
using Switchboard.Health;
using Switchboard.Hosting;
using Switchboard.Ingest;
using Switchboard.Live;
using Switchboard.Metrics;
using Switchboard.Security;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;
using Switchboard.Transports;
using Switchboard.Transports.LongPoll;
using Switchboard.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Switchboard in an ASP.NET Core app.</summary>
public static class SwitchboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds Switchboard's services: the store (embedded SQLite unless <see cref="SwitchboardOptions.StoreFactory"/> says
    /// otherwise), the write pipeline, the live fan-out and the in-process <see cref="ISwitchboardProducer"/>.
    /// Then call <c>app.MapSwitchboard()</c>.
    /// </summary>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services, Action<SwitchboardOptions>? configure = null)
    {
        services.AddOptions<SwitchboardOptions>();
        RefuseBareLineFeeds();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value);
        services.TryAddSingleton(sp => sp.GetRequiredService<SwitchboardOptions>().Stream);
        services.TryAddSingleton(sp => sp.GetRequiredService<SwitchboardOptions>().Security);
        services.TryAddSingleton<ApiKeyRing>();
        services.TryAddSingleton<TokenSecret>();
        services.TryAddSingleton<SubscriberTokens>();
        services.TryAddSingleton<JoinAuthorizer>();
        services.TryAddSingleton<StreamAuthenticator>();
        services.TryAddSingleton<OriginPolicy>();
        services.TryAddSingleton<WriteRateLimiter>();
        services.TryAddSingleton<SecurityGuard>();
        // Before the runtime: bad security settings stop start-up before the store is even opened.
        services.AddHostedService(sp => sp.GetRequiredService<SecurityGuard>());
        services.TryAddSingleton<ISessionStore>(CreateStore);
        services.TryAddSingleton(sp => sp.GetRequiredService<ISessionStore>() as IAlertStore
            ?? throw new InvalidOperationException("The configured store does not keep alerts (it must implement IAlertStore)."));
        services.TryAddSingleton<LiveHub>();
        services.TryAddSingleton<IWriteThrottle>(sp => sp.GetRequiredService<LiveHub>());
        services.TryAddSingleton<WritePipeline>();
        services.TryAddSingleton<SessionWriter>();
        services.TryAddSingleton<ISwitchboardProducer, SwitchboardProducer>();
        services.TryAddSingleton<LiveReads>();
        services.TryAddSingleton<JoinCoordinator>();
        services.TryAddSingleton<NodeReadiness>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<LongPollRegistry>();
        services.TryAddSingleton<LeaseMonitor>();
        services.TryAddSingleton<ConfiguredAlertRules>();
        services.TryAddSingleton<AlertEvaluator>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.TryAddSingleton<WebhookUrlPolicy>();
        services.TryAddSingleton(sp => (IWebhookStore)sp.GetRequiredService<WebhookDispatcher>().Store);
        services.TryAddSingleton<RetentionService>();
        services.TryAddSingleton<SwitchboardRuntime>();
        services.AddMetrics();
        services.TryAddSingleton<SwitchboardMetrics>();
        services.TryAddSingleton<PrometheusExporter>();
        // Before the runtime, so the instruments exist before the first write.
        services.AddHostedService<MetricsService>();
        services.AddHostedService(sp => sp.GetRequiredService<SwitchboardRuntime>());
        services.AddOpenApi(SwitchboardOpenApi.DocumentName, SwitchboardOpenApi.Configure);
        services.TryAddSingleton<SwitchboardMarker>();
        return services;
    }

    private static ISessionStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<SwitchboardOptions>();
        if (options.StoreFactory is { } factory)
        {
            return factory(services);
        }

        var path = Path.Combine(Path.GetFullPath(options.DataDirectory), SwitchboardDefaults.DatabaseFileName);
        return new SqliteSessionStore(new SqliteStoreOptions(path, options.SqliteDurability) { Usage = options.Usage.ToStoreOptions() }, services.GetRequiredService<TimeProvider>());
    }

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
