using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Server.Metrics;
using Switchboard.Server.Options;
using Switchboard.Server.Otlp.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Otlp.Grpc;

/// <summary>
/// OTLP/gRPC on its own HTTP/2 cleartext listener (<see cref="OtlpOptions.GrpcUrls"/>), a small Kestrel server of its own
/// in this process that hands every call to the node's <see cref="OtlpReceiver"/>. The default address is best effort:
/// taken (a second server, a collector) means one warning and no gRPC. An address set explicitly that cannot be bound
/// stops start-up. The loopback-only-unless-keys rule of the main listener applies.
/// </summary>
internal sealed class OtlpGrpcListener(SwitchboardOptions options, IServiceProvider services, ILogger<OtlpGrpcListener> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The addresses bound, once started (for tests that bind port 0).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>The listener's own services, once started (for tests that list its endpoints).</summary>
    internal IServiceProvider? Services => _app?.Services;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var otlp = options.Otlp;
        var urls = (otlp.GrpcUrls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!otlp.Enabled || urls.Length == 0)
        {
            return;
        }

        if (ListenAddresses.ExposureProblem(urls, options.Security) is { } exposure)
        {
            throw new SwitchboardStartupException("Switchboard:Otlp:GrpcUrls: " + exposure);
        }

        // An empty host: no configuration files (a default host watches its content root, where SQLite's WAL is
        // written, and wakes on every commit), no logging providers (failures go to this node's logger), Kestrel alone.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, otlp.MaxBodyBytes));
        builder.Services.AddSingleton(services.GetRequiredService<OtlpReceiver>());
        builder.Services.AddSingleton(services.GetRequiredService<SecurityOptions>());
        builder.Services.AddSingleton(services.GetRequiredService<ApiKeyRing>());
        builder.Services.AddSingleton(services.GetRequiredService<SwitchboardMetrics>());
        builder.Services.AddSingleton(services.GetRequiredService<TimeProvider>());
        builder.Services.AddSingleton(services.GetRequiredService<WriteRateLimiter>());
        builder.Services.AddSingleton(services.GetRequiredService<OtlpRequestGate>());
        builder.Services.AddSingleton<OtlpGrpcCalls>();
        builder.Services.AddSingleton<OtlpGrpcGate>();
        builder.Services.AddOtlpGrpcMethods();
        var app = builder.Build();
        var gate = app.Services.GetRequiredService<OtlpGrpcGate>();
        app.Use(gate.InvokeAsync); // before routing to the services, so nothing of a refused call is read
        app.MapGrpcService<OtlpTraceService>();
        app.MapGrpcService<OtlpLogsService>();
        app.MapGrpcService<OtlpMetricsService>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (otlp.GrpcBestEffort)
        {
            await app.DisposeAsync();
            OtlpLog.GrpcDefaultUnavailable(logger, string.Join(";", urls), ex.Message);
            return;
        }
        catch (IOException ex)
        {
            await app.DisposeAsync();
            throw new SwitchboardStartupException(
                $"Switchboard:Otlp:GrpcUrls: cannot listen on {string.Join(";", urls)} ({ex.Message}); choose another address with --otlp-grpc-urls, or an empty value to turn OTLP/gRPC off.", ex);
        }

        _app = app;
        Addresses = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
        foreach (var address in Addresses)
        {
            OtlpLog.GrpcListening(logger, address);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }
}
