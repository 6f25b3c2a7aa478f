using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Core.Hosting;
using Switchboard.Core.UsageRollups;
using Switchboard.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The embedded SQLite store: one node, one file, nothing to run beside it.</summary>
public static class SqliteSwitchboardBuilderExtensions
{
    /// <summary>
    /// Keeps sessions and events in SQLite (WAL) under <see cref="SqliteOptions.DataDirectory"/>, which also becomes the
    /// node's directory for the generated token secret. Settings out of range stop start-up with a line naming each.
    /// </summary>
    public static ISwitchboardBuilder UseSqlite(this ISwitchboardBuilder builder, Action<SqliteOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SqliteOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteOptions>, SqliteOptionsValidator>());
        builder.Services.RemoveAll<NodeDirectory>();
        builder.Services.AddSingleton(sp => new NodeDirectory(Path.GetFullPath(sp.GetRequiredService<IOptions<SqliteOptions>>().Value.DataDirectory)));
        return builder.UseStore(sp =>
        {
            var sqlite = sp.GetRequiredService<IOptions<SqliteOptions>>().Value;
            var store = new SqliteStoreOptions(sqlite.DatabasePath, sqlite.Durability) 
            {
                Usage = sp.GetService<UsageOptions>() ?? UsageOptions.Default,
                Streams = sp.GetService<Switchboard.Core.Streams.StreamPolicy>() ?? Switchboard.Core.Streams.StreamPolicy.Default,
            };
            return new SqliteSessionStore(store, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
                sp.GetService<Switchboard.Core.Hosting.BackgroundLoops>());
        });
    }
}
