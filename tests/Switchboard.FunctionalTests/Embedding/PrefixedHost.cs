using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Embedding;

/// <summary>A host app of its own on real Kestrel (127.0.0.1:0) that embeds Switchboard under a path prefix.</summary>
internal sealed class PrefixedHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _data;

    private PrefixedHost(WebApplication app, TempDirectory data, Uri root, string prefix)
    {
        _app = app;
        _data = data;
        Root = root;
        Base = new Uri(root, prefix.Trim('/') + "/");
        Http = new HttpClient { BaseAddress = root, Timeout = TestTimeouts.Default };
    }

    /// <summary>The host's own root, e.g. <c>http://127.0.0.1:1234/</c>.</summary>
    public Uri Root { get; }

    /// <summary>Where Switchboard lives, e.g. <c>http://127.0.0.1:1234/switchboard/</c>.</summary>
    public Uri Base { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<PrefixedHost> StartAsync(string prefix)
    {
        var data = new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchboard(o => o.DataDirectory = data.Path);
        var app = builder.Build();
        app.MapGet("/", () => "the host app's own page");
        app.MapSwitchboard(prefix);
        await app.StartAsync().WaitAsync(TestTimeouts.Long);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PrefixedHost(app, data, new Uri(address + "/"), prefix);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync().WaitAsync(TestTimeouts.Long);
        await _app.DisposeAsync();
        _data.Dispose();
    }
}
