using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Testing;

/// <summary>
/// An ASP.NET Core app of its own, on real Kestrel at 127.0.0.1:0, that hosts Switchboard with
/// <c>MapSwitchboard(prefix)</c> next to its own home page at <c>/</c>: the embedding case.
/// </summary>
public sealed class EmbeddedHost : IAsyncDisposable
{
    public const string HostHome = "the host app's own home page";

    private readonly WebApplication _app;
    private readonly TempDirectory _data;

    private EmbeddedHost(WebApplication app, TempDirectory data, Uri root, string prefix)
    {
        _app = app;
        _data = data;
        Root = root;
        Http = new HttpClient { BaseAddress = root, Timeout = TestTimeouts.Default };
        Api = new HttpClient { BaseAddress = new Uri(root, prefix.Trim('/') + "/"), Timeout = TestTimeouts.Default };
    }

    /// <summary>The host's own root, e.g. <c>http://127.0.0.1:1234/</c>.</summary>
    public Uri Root { get; }

    /// <summary>A client at the host's root.</summary>
    public HttpClient Http { get; }

    /// <summary>A client at Switchboard's prefix (relative paths such as <c>api/sessions</c>).</summary>
    public HttpClient Api { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the host; <paramref name="configure"/> and <paramref name="map"/> add the host app's own services and endpoints.</summary>
    public static async Task<EmbeddedHost> StartAsync(string prefix, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var data = new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchboard().UseSqlite(o => o.DataDirectory = data.Path);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/", () => HostHome);
        map?.Invoke(app);
        app.MapSwitchboard(prefix);
        await app.StartAsync().WaitAsync(TestTimeouts.Long);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmbeddedHost(app, data, new Uri(address + "/"), prefix);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Api.Dispose();
        await _app.StopAsync().WaitAsync(TestTimeouts.Long);
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
