using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// A real server with keys scoped by labels, listed as <c>SWITCHBOARD_API_KEYS</c> lists them: an unscoped admin key, a
/// write key and a read key of team red (the reader only for env=prod), a write key of team blue. Seeded with red-1
/// (team=red, env=prod), red-2 (team=red) and blue-1 (team=blue), made by the admin key.
/// </summary>
internal sealed class ScopedKeys : IAsyncDisposable
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string RedKey = "red:key=0123456789abcdef"; // keys may hold ':' and '=': the scope follows a space
    public const string RedReaderKey = "red-reader-0123456789abcdef";
    public const string BlueKey = "blue-key-0123456789abcdef";
    public const string KeyList = $"{AdminKey}, {RedKey} team=red, {RedReaderKey}:read team=red env=prod, {BlueKey}\tteam=blue";

    private ScopedKeys(SwitchboardServer server)
    {
        Server = server;
        Admin = server.HttpWithKey(AdminKey);
        Red = server.HttpWithKey(RedKey);
        RedReader = server.HttpWithKey(RedReaderKey);
        Blue = server.HttpWithKey(BlueKey);
    }

    public SwitchboardServer Server { get; }

    public HttpClient Admin { get; }

    public HttpClient Red { get; }

    public HttpClient RedReader { get; }

    public HttpClient Blue { get; }

    public static async Task<ScopedKeys> StartAsync(Action<SwitchboardOptions>? configure = null)
    {
        var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys(KeyList);
            configure?.Invoke(o);
        });
        var keys = new ScopedKeys(server);
        await keys.Admin.CreateAsync("red-1", new { labels = new { team = "red", env = "prod" } });
        await keys.Admin.CreateAsync("red-2", new { labels = new { team = "red" } });
        await keys.Admin.CreateAsync("blue-1", new { labels = new { team = "blue" } });
        return keys;
    }

    /// <summary>The ids of a session list or page.</summary>
    public static List<string> Ids(System.Text.Json.JsonElement page) =>
        [.. page.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id"))];

    public async ValueTask DisposeAsync()
    {
        foreach (var http in new[] { Admin, Red, RedReader, Blue })
        {
            http.Dispose();
        }

        await Server.DisposeAsync();
    }
}
