using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Health;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Startup;

/// <summary>
/// A host whose start fails after the node has started (a hosted service after it threw; an OTLP/gRPC address was taken)
/// is never stopped, only disposed, and the container disposes the store where it first handed it out, which can be
/// before the components that read it. The node stops itself in order then too: what reads the store ends before the
/// store closes, and the caller sees the start-up failure, not an <see cref="ObjectDisposedException"/> from a read
/// that outlived the store (seen once in the stress loop as the failure of
/// <c>OtlpGrpcTests.AnAddressSetExplicitlyThatIsTakenStopsStartUp</c>).
/// </summary>
public sealed class FailedStartTests
{
    [Fact]
    public async Task AHostWhoseStartFailsAfterTheNodeStartedStopsTheNodeInOrderWhenItIsDisposed()
    {
        using var data = new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchboard(o => o.Otlp.GrpcUrls = "").UseSqlite(o => o.DataDirectory = data.Path);
        builder.Services.AddHostedService<FailsToStart>();
        var app = builder.Build();
        app.MapSwitchboard();
        var readiness = app.Services.GetRequiredService<NodeReadiness>();

        // RunAsync disposes the host when its start fails, as `await using` does.
        var failure = await Should.ThrowAsync<InvalidOperationException>(() => app.RunAsync().WaitAsync(TestTimeouts.Long));
        failure.ShouldNotBeAssignableTo<ObjectDisposedException>();
        failure.Message.ShouldBe(FailsToStart.Message);
        readiness.IsStopping.ShouldBeTrue("the node ran its own stop (alerts, webhooks, pipeline, live loop, then the store)");

        // The data directory was given back: a node starts on it at once.
        await using var next = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        (await next.Http.GetAsync("readyz")).IsSuccessStatusCode.ShouldBeTrue();
    }

    /// <summary>A hosted service registered after Switchboard's, whose start fails.</summary>
    private sealed class FailsToStart : IHostedService
    {
        public const string Message = "a hosted service after the node failed to start";

        public Task StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(Message);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
