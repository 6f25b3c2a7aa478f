using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>The SDK against a server with auth on: API keys, minted subscriber tokens, and a token provider that renews.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string WriteKey = "sdk-write-key-0123456789";
    private const string ReadKey = "sdk-read-key-0123456789";
    private readonly ManualTimeProvider _time = new();
    private SwitchboardServer _server = null!;
    private SwitchboardClient _writer = null!;

    private static SubscribeOptions Fast => new()
    {
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys($"{WriteKey},{ReadKey}:read"), _time);
        _writer = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions { ApiKey = WriteKey });
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task AnApiKeyAuthenticatesProducerCallsAndSubscriptions()
    {
        using var reader = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions { ApiKey = ReadKey });
        await _writer.CreateSessionAsync(new NewSession { Id = "keyed" });
        (await reader.GetSessionAsync("keyed"))!.Id.ShouldBe("keyed");

        await using var stream = new StreamReader(reader, "sessions");
        (await stream.NextAsync<SnapshotReset>()).Snapshot.Sessions!.Select(s => s.Id).ShouldBe(["keyed"]);
        await _writer.UpdateSessionAsync("keyed", new SessionUpdate { State = SessionState.Working });
        (await stream.NextAsync<SessionUpdatedEvent>()).State.ShouldBe(SessionState.Working);

        var refused = await Should.ThrowAsync<SwitchboardApiException>(() => reader.PauseFleetAsync());
        refused.StatusCode.ShouldBe(403);
        refused.Code.ShouldBe("insufficient_scope");
    }

    [Fact]
    public async Task WithoutCredentialsCallsGet401AndSubscriptionsAreRefused()
    {
        using var anonymous = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions { MaxAttempts = 1 });
        (await Should.ThrowAsync<SwitchboardApiException>(() => anonymous.GetSummaryAsync())).StatusCode.ShouldBe(401);

        await using var stream = new StreamReader(anonymous, "sessions");
        var refused = await Should.ThrowAsync<SwitchboardSubscriptionException>(() => stream.NextAsync());
        refused.Reason.ShouldBe("unauthorized");
    }

    [Fact]
    public async Task AMintedTokenScopesTheSubscription()
    {
        await _writer.CreateSessionAsync(new NewSession { Id = "core-a", Labels = new Dictionary<string, string> { ["team"] = "core" } });
        await _writer.CreateSessionAsync(new NewSession { Id = "ml-a", Labels = new Dictionary<string, string> { ["team"] = "ml" } });
        var token = await _writer.CreateSubscriberTokenAsync(["sessions"], new Dictionary<string, string> { ["team"] = "core" }, TimeSpan.FromMinutes(10));
        token.Topics.ShouldBe(["sessions"]);
        token.Labels!["team"].ShouldBe("core");
        token.ExpiresAt.ShouldBe(_time.GetUtcNow().AddMinutes(10));

        using var scoped = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions { StreamToken = token.Token });
        await using var stream = new StreamReader(scoped, "sessions");
        (await stream.NextAsync<SnapshotReset>()).Snapshot.Sessions!.Select(s => s.Id).ShouldBe(["core-a"]);
        await _writer.CreateSessionAsync(new NewSession { Id = "ml-b", Labels = new Dictionary<string, string> { ["team"] = "ml" } });
        await _writer.CreateSessionAsync(new NewSession { Id = "core-b", Labels = new Dictionary<string, string> { ["team"] = "core" } });
        (await stream.NextAsync<SessionCreatedEvent>()).Session.Id.ShouldBe("core-b");

        await using var other = new StreamReader(scoped, "summary");
        (await Should.ThrowAsync<SwitchboardSubscriptionException>(() => other.NextAsync())).Reason.ShouldBe("unauthorized");

        // A read key may mint a token too (a token only opens streams, which the key may already open), but not write.
        using var reader = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions { ApiKey = ReadKey, MaxAttempts = 1 });
        (await reader.CreateSubscriberTokenAsync(["summary"])).Topics.ShouldBe(["summary"]);
        (await Should.ThrowAsync<SwitchboardApiException>(() => reader.CreateSessionAsync(new NewSession()))).StatusCode.ShouldBe(403);
    }

    [Fact]
    public async Task ATokenProviderRenewsAnExpiredTokenAndTheStreamResumesWithoutLoss()
    {
        var minted = 0;
        using var subscriber = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions
        {
            StreamTokenProvider = async ct =>
            {
                Interlocked.Increment(ref minted);
                return (await _writer.CreateSubscriberTokenAsync(["sessions"], lifetime: TimeSpan.FromSeconds(30), cancellationToken: ct)).Token;
            },
        });
        await using var stream = new StreamReader(subscriber, "sessions", options: Fast);
        var start = (await stream.NextAsync<SnapshotReset>()).Snapshot.Seq;
        await _writer.CreateSessionAsync(new NewSession { Id = "before-expiry" });
        (await stream.NextAsync<SessionCreatedEvent>()).Seq.ShouldBe(start + 1);

        _time.Advance(TimeSpan.FromSeconds(31)); // the server closes the socket with 1008
        await _writer.CreateSessionAsync(new NewSession { Id = "after-expiry" });
        var resumed = await stream.NextAsync<Resumed>();
        resumed.Since.ShouldBe(start + 1);
        (await stream.NextAsync<SessionCreatedEvent>()).Seq.ShouldBe(start + 2);
        minted.ShouldBe(2, "a fresh token for the reconnect");
    }

    [Fact]
    public async Task AFixedTokenThatExpiredEndsTheSubscriptionWithUnauthorized()
    {
        var token = await _writer.CreateSubscriberTokenAsync(["sessions"], lifetime: TimeSpan.FromSeconds(30));
        using var subscriber = new SwitchboardClient(_server.BaseAddress, new SwitchboardClientOptions { StreamToken = token.Token });
        await using var stream = new StreamReader(subscriber, "sessions", options: Fast);
        await stream.NextAsync<SnapshotReset>();
        _time.Advance(TimeSpan.FromSeconds(31));
        (await Should.ThrowAsync<SwitchboardSubscriptionException>(() => stream.NextAsync())).Reason.ShouldBe("unauthorized");
    }
}
