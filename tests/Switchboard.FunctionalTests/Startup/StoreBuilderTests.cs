using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.FunctionalTests.Http;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Startup;

/// <summary>
/// The store is named on the builder <c>AddSwitchboard</c> returns: <c>UseSqlite</c> and <c>UsePostgres</c> come from the
/// store packages (the server references neither), and a host that names none is refused at start with what to call.
/// </summary>
public sealed class StoreBuilderTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task AHostThatNamesNoStoreIsRefusedAtStartWithWhatToCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchboard();
        await using var app = builder.Build();

        // Mapping already resolves the store, so the refusal comes there, before anything listens.
        var refused = await Should.ThrowAsync<SwitchboardStartupException>(async () =>
        {
            app.MapSwitchboard();
            await app.StartAsync().WaitAsync(TestTimeouts.Long);
        });
        refused.Problems.Count.ShouldBe(1);
        refused.Message.ShouldContain(".UseSqlite(");
        refused.Message.ShouldContain(".UsePostgres(connectionString)");
    }

    [Fact]
    public async Task UseSqliteKeepsTheDatabaseAndTheTokenSecretInItsDataDirectoryAcrossARestart()
    {
        using var data = new TempDirectory();
        const string Key = "builder-key-0123456789abcdef";
        await using (var first = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(Key), dataDirectory: data.Path))
        {
            first.Get<ISessionStore>().ShouldBeOfType<SqliteSessionStore>();
            await first.HttpWithKey(Key).CreateAsync("kept");
        }

        File.Exists(Path.Combine(data.Path, "switchboard.db")).ShouldBeTrue();
        File.Exists(Path.Combine(data.Path, "token-secret")).ShouldBeTrue("the node's generated secret lives in the SQLite data directory");

        await using var second = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(Key), dataDirectory: data.Path);
        var (status, json, _) = await second.HttpWithKey(Key).SendAsync(HttpMethod.Get, "/api/sessions/kept");
        status.ShouldBe(200, json.ToString());
    }

    [Fact]
    public async Task UseSqliteTakesItsDurability()
    {
        await using var server = await SwitchboardServer.StartAsync(store: b => b.UseSqlite(o => o.Durability = SqliteDurability.Full));
        server.Get<Microsoft.Extensions.Options.IOptions<SqliteOptions>>().Value.Durability.ShouldBe(SqliteDurability.Full);
        await server.Http.CreateAsync("durable");
    }

    [Fact]
    public async Task UsePostgresKeepsSessionsInTheDatabaseWhereAnotherNodeReadsThem()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var a = await SwitchboardServer.StartAsync(store: b => b.UsePostgres(db));
        await using var b = await SwitchboardServer.StartAsync(store: b => b.UsePostgres(db, o => o.PollInterval = TimeSpan.FromMilliseconds(500)));
        a.Get<ISessionStore>().ShouldBeOfType<PostgresSessionStore>();

        await a.Http.CreateAsync("shared");

        var (status, json, _) = await b.Http.SendAsync(HttpMethod.Get, "/api/sessions/shared");
        status.ShouldBe(200, json.ToString());
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM switchboard_sessions WHERE id = 'shared'", connection);
        ((long)(await count.ExecuteScalarAsync())!).ShouldBe(1);
    }

    [Fact]
    public async Task AHostThatNamesOnlyPostgresStartsAndServesWithTheDefaultNodeDirectory()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSwitchboard().UsePostgres(db);
        await using var app = builder.Build();
        app.MapSwitchboard();
        await app.StartAsync().WaitAsync(TestTimeouts.Long);

        app.Services.GetRequiredService<NodeDirectory>().ShouldBe(NodeDirectory.Default);
        var address = app.Urls.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TestTimeouts.Default };
        await http.CreateAsync("postgres-only");
        await app.StopAsync().WaitAsync(TestTimeouts.Long);
    }

    [Fact]
    public async Task UsePostgresRefusesAMalformedConnectionStringWithoutEchoingIt()
    {
        var failure = await Should.ThrowAsync<InvalidOperationException>(() =>
            SwitchboardServer.StartAsync(store: b => b.UsePostgres("Host=db;Password=hunter2-secret;Frobnicate=1")));
        var invalid = failure.InnerException.ShouldBeOfType<Microsoft.Extensions.Options.OptionsValidationException>();
        invalid.Failures.Count().ShouldBe(1);
        invalid.Failures.Single().ShouldStartWith("Switchboard:Postgres:ConnectionString is not a valid connection string");
        invalid.Message.ShouldNotContain("hunter2-secret");
    }
}
