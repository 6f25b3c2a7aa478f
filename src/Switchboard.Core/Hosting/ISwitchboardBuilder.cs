using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What <c>services.AddSwitchboard(…)</c> returns: the storage packages hang their <c>UseSqlite</c> and <c>UsePostgres</c>
/// on it, so the server itself references no store.
/// </summary>
public interface ISwitchboardBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Choosing the store a node opens.</summary>
internal static class SwitchboardStoreBuilderExtensions
{
    /// <summary>
    /// Makes <paramref name="factory"/> the node's store, replacing any chosen before (the last call wins). Stores call this
    /// from their own <c>Use…</c> method; a store of your own can too. The factory runs once, when the host starts.
    /// </summary>
    public static ISwitchboardBuilder UseStore(this ISwitchboardBuilder builder, Func<IServiceProvider, ISessionStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<ISessionStore>();
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>
    /// Where this node keeps its own files (the generated token-signing secret): <paramref name="path"/>. The SQLite store
    /// sets it to its data directory; with another store it is <c>./data</c> unless set here.
    /// </summary>
    public static ISwitchboardBuilder UseNodeDirectory(this ISwitchboardBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.RemoveAll<NodeDirectory>();
        builder.Services.AddSingleton(new NodeDirectory(Path.GetFullPath(path)));
        return builder;
    }
}
