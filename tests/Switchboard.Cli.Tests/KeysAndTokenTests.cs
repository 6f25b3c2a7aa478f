using System.Net;
using System.Net.Http.Headers;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// Keys and tokens from the command line: <c>keys new</c> prints a fresh key the server accepts (and shows it to the
/// user, unlike <c>$(openssl rand -hex 24)</c> inlined into the server's environment); <c>token</c> mints a subscriber
/// token with the server's own secret.
/// </summary>
public sealed class KeysAndTokenTests
{
    private static async Task<(string Out, IReadOnlyList<string> Err)> RunOkAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var (code, process) = await Cli.RunWithAsync(environment ?? new Dictionary<string, string>(), args);
        await using (process)
        {
            code.ShouldBe(0, process.Output);
            return (process.StdoutLines.ShouldHaveSingleItem(), process.StderrLines());
        }
    }

    [Fact]
    public async Task KeysNewPrintsAFreshKeyTheServerAccepts()
    {
        var (write, writeNote) = await RunOkAsync(null, "keys", "new");
        var (read, readNote) = await RunOkAsync(null, "keys", "new", "--read");
        write.ShouldMatch("^[0-9a-f]{48}$");
        read.ShouldMatch("^[0-9a-f]{48}$");
        read.ShouldNotBe(write);
        writeNote.ShouldHaveSingleItem().ShouldContain("SWITCHBOARD_API_KEYS");
        readNote.ShouldHaveSingleItem().ShouldContain("<key>:read");

        using var data = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = $"{write},{read}:read" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", read);
        (await http.GetStringAsync("/api/auth")).ShouldContain("\"scope\":\"read\"");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", write);
        (await http.PostAsync("/api/sessions", new StringContent("{\"id\":\"with-key\"}"))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task KeysNewAgentPrintsAKeyThatReportsButCannotSteer()
    {
        var (agent, note) = await RunOkAsync(null, "keys", "new", "--agent");
        agent.ShouldMatch("^[0-9a-f]{48}$");
        note.ShouldHaveSingleItem().ShouldContain("@agents <key>:agent");
        var (both, process) = await Cli.RunWithAsync(new Dictionary<string, string>(), "keys", "new", "--read", "--agent");
        await using (process)
        {
            both.ShouldNotBe(0);
            process.Output.ShouldContain("give --read or --agent, not both");
        }

        using var data = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = $"@claude {agent}:agent" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", agent);
        var auth = await http.GetStringAsync("/api/auth");
        auth.ShouldContain("\"role\":\"agent\"");
        auth.ShouldContain("\"name\":\"@claude\"");
        (await http.PostAsync("/api/sessions", new StringContent("{\"id\":\"reported\"}"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var pause = await http.PostAsync("/api/fleet/pause", new StringContent(""));
        pause.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await pause.Content.ReadAsStringAsync()).ShouldContain("insufficient_role");
    }

    [Fact]
    public async Task TokenMintsWithTheSecretTheServerGeneratedAndTheServerHonoursItsTopics()
    {
        using var data = new TempDirectory();
        const string key = "token-test-key-0123456789";
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["SWITCHBOARD_API_KEYS"] = key });

        var (token, note) = await RunOkAsync(null, "token", "--topics", "session:agent-*", "--ttl", "2m", "--data-dir", data.Path);
        note.ShouldHaveSingleItem().ShouldContain("(2m); topics session:agent-*");
        token.Split('.').Length.ShouldBe(3, "a JWT");

        using var writer = new SwitchboardClient(server.BaseAddress, new SwitchboardClientOptions { ApiKey = key });
        using var consumer = new SwitchboardClient(server.BaseAddress, new SwitchboardClientOptions { StreamToken = token });
        using var cancel = new CancellationTokenSource(TestTimeouts.Long);
        await using (var stream = consumer.SubscribeAsync("session:agent-1", cancellationToken: cancel.Token).GetAsyncEnumerator())
        {
            (await stream.MoveNextAsync()).ShouldBeTrue();
            stream.Current.ShouldBeOfType<SnapshotReset>();
            await writer.CreateSessionAsync(new NewSession { Id = "agent-1" });
            (await stream.MoveNextAsync()).ShouldBeTrue();
            stream.Current.ShouldBeOfType<SessionCreatedEvent>().SessionId.ShouldBe("agent-1");
        }

        var outside = await Should.ThrowAsync<SwitchboardSubscriptionException>(async () =>
        {
            await foreach (var _ in consumer.SubscribeAsync("sessions", cancellationToken: cancel.Token))
            {
            }
        });
        outside.Reason.ShouldBe("unauthorized");
    }

    [Fact]
    public async Task TokenWithoutASecretOrWithATooLongTtlSaysWhatToDo()
    {
        using var empty = new TempDirectory();
        var noSecret = await Cli.FailsWithOneLineAsync(1, null, "token", "--data-dir", empty.Path);
        noSecret.ShouldContain("no token secret");
        noSecret.ShouldContain("SWITCHBOARD_TOKEN_SECRET");

        var tooLong = await Cli.FailsWithOneLineAsync(2, new Dictionary<string, string> { ["SWITCHBOARD_TOKEN_SECRET"] = new string('s', 40) }, "token", "--ttl", "48h");
        tooLong.ShouldBe("switchboard: --ttl must be from 1s to 24h (the server's TokenMaxLifetime); got 48h.");
    }
}
