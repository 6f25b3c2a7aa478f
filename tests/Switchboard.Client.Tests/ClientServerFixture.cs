using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>One real server (Kestrel on 127.0.0.1:0, SQLite in a temp dir) shared by a test class, and an SDK client for it.</summary>
public sealed class ClientServerFixture : IAsyncLifetime
{
    public SwitchboardServer Server { get; private set; } = null!;

    public SwitchboardClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await SwitchboardServer.StartAsync();
        Client = new SwitchboardClient(Server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];
}
