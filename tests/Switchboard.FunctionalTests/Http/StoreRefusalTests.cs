using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// A write the database would refuse fails alone, on both stores: a NUL character is refused with 400 before it reaches
/// the store, and a value the database itself refuses (a trigger stands in for any constraint a release may meet) fails
/// only its own write, while the writes committed with it succeed and <c>/readyz</c> stays ready.
/// </summary>
public sealed class StoreRefusalTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    private async Task<(SwitchboardServer Server, string? Database)> StartAsync(string store)
    {
        if (store == "sqlite")
        {
            return (await SwitchboardServer.StartAsync(), null);
        }

        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        return (await SwitchboardServer.StartAsync(store: b => b.UsePostgres(db)), db);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ANulCharacterInANameALabelOrAnErrorMessageIsRefusedWith400AndChangesNothing(string store)
    {
        var (server, _) = await StartAsync(store);
        await using var _ = server;
        var http = server.Http;
        await http.CreateAsync("s1", new { name = "original" });
        var head = (await http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");

        (await http.PostAsync("/api/sessions", """{"id":"n1","name":"a\u0000b"}""")).ShouldBeProblem(400, "name");
        (await http.PostAsync("/api/sessions", """{"id":"n2","labels":{"team":"r\u0000d"}}""")).ShouldBeProblem(400, "labels");
        (await http.PostAsync("/api/sessions", """{"id":"n3","error_message":"\u0000"}""")).ShouldBeProblem(400, "error_message");
        (await http.PatchAsync("/api/sessions/s1", """{"name":"x\u0000"}""")).ShouldBeProblem(400, "name");
        (await http.PatchAsync("/api/sessions/s1", """{"labels":{"k":"\u0000"}}""")).ShouldBeProblem(400, "labels");
        (await http.PostAsync("/api/sessions/s1/terminate", """{"reason":"done\u0000"}""")).ShouldBeProblem(400, "reason");
        var batch = await http.PostAsync("/api/batch", """{"operations":[{"op":"create","id":"n4","name":"\u0000"},{"op":"create","id":"n5"}]}""");
        batch.Status.ShouldBe(200);
        var results = batch.Body.GetProperty("results").EnumerateArray().ToList();
        results[0].GetProperty("status").GetInt32().ShouldBe(400);
        results[1].GetProperty("status").GetInt32().ShouldBe(201, "the other operation of the batch is not hurt");

        (await http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq").ShouldBe(head + 1, "only n5 was created");
        (await http.GetJsonAsync("/api/sessions/s1")).Body.Str("name").ShouldBe("original");
        (await http.GetJsonAsync("/readyz")).Status.ShouldBe(200);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AWriteTheDatabaseRefusesFailsAloneWhileTheOthersOfItsCommitSucceed(string store)
    {
        var (server, db) = await StartAsync(store);
        await using var _ = server;
        if (db is null)
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "switchboard.db")};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER refuse_poison BEFORE INSERT ON sessions WHEN NEW.name = 'poison' " +
                "BEGIN SELECT RAISE(ABORT, 'poison is not stored here'); END;";
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
                "IF NEW.name = 'poison' THEN RAISE EXCEPTION 'poison is not stored here' USING ERRCODE = '22000'; END IF; RETURN NEW; END $$; " +
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON switchboard_sessions FOR EACH ROW EXECUTE FUNCTION refuse_poison();", connection);
            await command.ExecuteNonQueryAsync();
        }

        var http = server.Http;
        await http.CreateAsync("warm");
        // Many creates at once share group commits with the refused one.
        var valid = Enumerable.Range(0, 40).Select(i => http.PostAsync("/api/sessions", new { id = $"ok-{i}" })).ToList();
        var poison = http.PostAsync("/api/sessions", new { id = "bad", name = "poison" });
        var answers = await Task.WhenAll(valid);
        answers.Select(a => a.Status).ShouldAllBe(s => s == 201);
        var refused = await poison;
        refused.ShouldBeProblem(400);
        refused.Body.Str("code").ShouldBe("store_refused");
        refused.Body.Str("detail").ShouldContain("poison is not stored here");

        (await http.GetJsonAsync("/api/sessions/bad")).Status.ShouldBe(404);
        (await http.GetJsonAsync("/api/sessions/ok-39")).Status.ShouldBe(200);
        (await http.GetJsonAsync("/readyz")).Status.ShouldBe(200, "a refused value says nothing about the store's health");
        (await http.PostAsync("/api/sessions", new { id = "after" })).Status.ShouldBe(201);
    }

    [Fact]
    public async Task OnPostgresATreeAsDeepAsThePathLimitAllowsWithRandomLongIdsIsStoredAndEndsWhole()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var server = await SwitchboardServer.StartAsync(o => o.Sessions.MaxTreeDepth = 64, store: b => b.UsePostgres(db));
        var http = server.Http;
        var random = new Random(4417);
        string LongId() => string.Concat(Enumerable.Range(0, 128).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)]));

        var ids = new List<string> { LongId() };
        (await http.PostAsync("/api/sessions", new { id = ids[0] })).Status.ShouldBe(201);
        while (true)
        {
            var id = LongId();
            var created = await http.PostAsync("/api/sessions", new { id, parent_id = ids[^1] });
            if (created.Status != 201)
            {
                created.ShouldBeProblem(400, "parent_id");
                created.Body.Str("code").ShouldBe("tree_too_deep");
                break;
            }

            ids.Add(id);
            ids.Count.ShouldBeLessThan(66, "the depth limit ends the chain at the latest");
        }

        var deepest = (await http.GetJsonAsync($"/api/sessions/{ids[^1]}")).Body;
        deepest.GetProperty("depth").GetInt32().ShouldBe(ids.Count - 1);
        ids.Count.ShouldBeGreaterThan(10, "a path of 2,048 characters holds 15 ids of 128");
        var tree = await http.GetJsonAsync($"/api/sessions/{ids[0]}/tree?limit=100");
        tree.Status.ShouldBe(200);
        tree.Body.GetProperty("sessions").GetArrayLength().ShouldBe(ids.Count);
        var ended = await http.PostAsync($"/api/sessions/{ids[0]}/terminate", new { cascade = true });
        ended.Status.ShouldBe(200);
        (await http.GetJsonAsync($"/api/sessions/{ids[^1]}")).Body.Str("state").ShouldBe("terminated");
        (await http.GetJsonAsync("/readyz")).Status.ShouldBe(200);
    }
}
