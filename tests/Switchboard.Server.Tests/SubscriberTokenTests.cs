using System.Text;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Phoenix;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests;

/// <summary>Subscriber tokens: what is accepted, what is refused, and the topic patterns they carry.</summary>
public sealed class SubscriberTokenTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sb-token-" + Guid.NewGuid().ToString("N"));
    private readonly FakeClock _time = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));

    private SubscriberTokens Tokens(string secret = "a-secret-of-at-least-thirty-two-characters")
    {
        var options = new SwitchboardOptions();
        options.Security.TokenSigningKey = secret;
        var key = new TokenSecret(options, new Switchboard.Core.Hosting.NodeDirectory(_dataDirectory));
        key.Load();
        return new SubscriberTokens(key, _time);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static TopicRoute Route(string topic)
    {
        TopicRoute.TryParse(topic, out var route).ShouldBeTrue();
        return route;
    }

    [Fact]
    public async Task AMintedTokenCarriesItsTopicsLabelsAndExpiry()
    {
        var tokens = Tokens();
        var (token, expires) = tokens.Mint(["sessions", "session:agent-*"], new Dictionary<string, string> { ["team"] = "core" }, TimeSpan.FromMinutes(5));
        expires.ShouldBe(_time.GetUtcNow().AddMinutes(5));

        var (grant, error) = await tokens.ValidateAsync(token);
        error.ShouldBeNull();
        grant!.ExpiresAt.ShouldBe(expires);
        grant.Labels!["team"].ShouldBe("core");
        grant.Allows(Route("sessions")).ShouldBeTrue();
        grant.Allows(Route("session:agent-7")).ShouldBeTrue();
        grant.Allows(Route("session:bot-7")).ShouldBeFalse();
        grant.Allows(Route("summary")).ShouldBeFalse();
    }

    [Fact]
    public async Task ATokenExpiresOnTheInjectedClock()
    {
        var tokens = Tokens();
        var (token, _) = tokens.Mint(["summary"], null, TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(29));
        (await tokens.ValidateAsync(token)).Grant.ShouldNotBeNull();
        _time.Advance(TimeSpan.FromSeconds(1));
        (await tokens.ValidateAsync(token)).Error.ShouldBe("the token has expired");
    }

    [Fact]
    public async Task ATokenFromAnotherSecretOrTamperedWithIsRefused()
    {
        var (token, _) = Tokens().Mint(["summary"], null, TimeSpan.FromMinutes(1));
        (await Tokens("another-secret-of-at-least-thirty-two-chars").ValidateAsync(token)).Grant.ShouldBeNull();

        // Widening the topics without the secret breaks the signature.
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"summary\"", "\"*\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        (await Tokens().ValidateAsync(tampered)).Grant.ShouldBeNull();
    }

    [Fact]
    public async Task UnsignedTokensAndOtherAlgorithmsAreRefused()
    {
        var payload = Base64UrlEncoder.Encode($"{{\"topics\":[\"*\"],\"exp\":{_time.GetUtcNow().AddHours(1).ToUnixTimeSeconds()}}}");
        var none = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".";
        (await Tokens().ValidateAsync(none)).Grant.ShouldBeNull();

        var hs512 = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(payload)),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-secret-of-at-least-thirty-two-characters-and-then-some-for-512-bits")), SecurityAlgorithms.HmacSha512));
        (await Tokens("a-secret-of-at-least-thirty-two-characters-and-then-some-for-512-bits").ValidateAsync(hs512)).Grant.ShouldBeNull("only HS256 is accepted");
    }

    [Theory]
    [InlineData("{\"topics\":[\"sessions\"]}", "no valid 'exp'")]
    [InlineData("{\"exp\":EXP}", "'topics' claim")]
    [InlineData("{\"exp\":EXP,\"topics\":[]}", "'topics' claim")]
    [InlineData("{\"exp\":EXP,\"topics\":\"sessions\"}", "'topics' claim")]
    [InlineData("{\"exp\":EXP,\"topics\":[\"sesions\"]}", "invalid topic pattern")]
    [InlineData("{\"exp\":EXP,\"topics\":[\"sessions\"],\"labels\":{\"team\":1}}", "'labels' claim")]
    [InlineData("{\"exp\":EXP,\"topics\":[\"sessions\"],\"nbf\":NBF}", "not valid yet")]
    [InlineData("{\"exp\":\"EXP\",\"topics\":[\"sessions\"]}", "no valid 'exp'")]
    public async Task TokensWithMissingOrMalformedClaimsAreRefused(string claims, string why)
    {
        var now = _time.GetUtcNow();
        var json = claims.Replace("EXP", now.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("NBF", now.AddMinutes(5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(json,
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("a-secret-of-at-least-thirty-two-characters")), SecurityAlgorithms.HmacSha256));
        var (grant, error) = await Tokens().ValidateAsync(token);
        grant.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(why);
    }

    [Theory]
    [InlineData("sessions", "sessions", true)]
    [InlineData("sessions", "summary", false)]
    [InlineData("session:*", "session:anything", true)]
    [InlineData("session:*", "sessions", false)]
    [InlineData("session:agent-*", "session:agent-", true)]
    [InlineData("session:agent-*", "session:agent-42", true)]
    [InlineData("session:agent-*", "session:bot-42", false)]
    [InlineData("session:*-prod", "session:a-prod", true)]
    [InlineData("session:*-prod", "session:a-prod-2", false)]
    [InlineData("*", "summary", true)]
    [InlineData("s*s", "sessions", true)]
    [InlineData("**a", "session:ba", true)]
    public void PatternsMatchLikeGlobs(string pattern, string topic, bool matches) =>
        TopicPattern.Matches(pattern, topic).ShouldBe(matches);

    [Theory]
    [InlineData("sessions", true)]
    [InlineData("session:agent-*", true)]
    [InlineData("*", true)]
    [InlineData("sess*", true)]
    [InlineData("sesions", false)]
    [InlineData("session:a b", false)]
    [InlineData("", false)]
    [InlineData("users", false)]
    [InlineData("a", false)] // a prefix of "alerts" is no topic (issue 30)
    [InlineData("sess", false)]
    [InlineData("session", false)]
    [InlineData("summ", false)]
    [InlineData("session:", false)] // an id has at least one character
    [InlineData("session*", true)]
    [InlineData("s*s", true)]
    [InlineData("*:x", true)]
    [InlineData("session:*:*", true)]
    [InlineData("*y", true)] // summary, or session:y
    [InlineData("a*", true)]
    [InlineData("x*", false)]
    [InlineData("**", true)]
    public void PatternsAreValidated(string pattern, bool valid) => (TopicPattern.Validate(pattern) is null).ShouldBe(valid);

    /// <summary>A clock moved by the test.</summary>
    private sealed class FakeClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
