using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The EmbeddedHost sample (an ordinary ASP.NET Core app with Switchboard mapped under <c>/switchboard</c>) running
/// as its own process on real Kestrel.
/// </summary>
internal sealed class EmbeddedHostProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private EmbeddedHostProcess(ChildProcess process, Uri root)
    {
        _process = process;
        Root = root;
        Switchboard = new Uri(root, "switchboard/");
    }

    /// <summary>The app's root.</summary>
    public Uri Root { get; }

    /// <summary>Where the app serves Switchboard.</summary>
    public Uri Switchboard { get; }

    public string Output => _process.Output;

    public static async Task<EmbeddedHostProcess> StartAsync(string dataDirectory, string urls = "http://127.0.0.1:0")
    {
        var process = ChildProcess.Start(RepoPaths.BuiltDll(Path.Combine("samples", "EmbeddedHost"), "EmbeddedHost.dll"),
            ["--urls", urls, $"--Switchboard:DataDirectory={dataDirectory}"]);
        try
        {
            var address = await process.WaitForListeningAsync();
            return new EmbeddedHostProcess(process, new Uri(address.GetLeftPart(UriPartial.Authority) + "/"));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>A graceful stop (SIGTERM): stream clients are closed with 1001.</summary>
    public async Task StopAsync()
    {
        _process.Signal(Posix.SigTerm);
        await _process.WaitForExitAsync();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>One sample process shared by the tests of a class.</summary>
public sealed class EmbeddedHostFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    internal EmbeddedHostProcess Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await EmbeddedHostProcess.StartAsync(_data.Path);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
