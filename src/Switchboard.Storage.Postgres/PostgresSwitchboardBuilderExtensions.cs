using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Core.UsageRollups;
using Switchboard.Storage.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The PostgreSQL store: several nodes share one database, and LISTEN/NOTIFY carries events between them.</summary>
public static class PostgresSwitchboardBuilderExtensions
{
    /// <summary>
    /// Keeps sessions and events in the PostgreSQL database named by <paramref name="connectionString"/> (an Npgsql one,
    /// e.g. <c>Host=db;Database=switchboard;Username=switchboard;Password=…</c>). Switchboard creates its tables, not the
    /// database. Settings out of range stop start-up with a line naming each; the connection string is never echoed.
    /// </summary>
    public static ISwitchboardBuilder UsePostgres(this ISwitchboardBuilder builder, string connectionString, Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PostgresStoreOptions>()
            .Configure(o =>
            {
                o.ConnectionString = connectionString;
                configure?.Invoke(o);
            })
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresStoreOptions>, PostgresStoreOptionsValidator>());
        return builder.UseStore(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresStoreOptions>>().Value with
            {
                Usage = sp.GetService<UsageOptions>() ?? UsageOptions.Default,
                Streams = sp.GetService<Switchboard.Core.Streams.StreamPolicy>() ?? Switchboard.Core.Streams.StreamPolicy.Default,
            };
            return new PostgresSessionStore(options, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ILoggerFactory>(),
                sp.GetService<Switchboard.Core.Hosting.BackgroundLoops>());
        });
    }
}
