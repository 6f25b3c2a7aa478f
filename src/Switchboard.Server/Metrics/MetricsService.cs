using Microsoft.Extensions.Hosting;

namespace Switchboard.Server.Metrics;

/// <summary>Creates the instruments and the exporter at start-up, before any write, so counters start at zero with the node.</summary>
internal sealed class MetricsService(PrometheusExporter exporter) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = exporter;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
