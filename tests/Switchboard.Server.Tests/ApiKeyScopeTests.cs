using Microsoft.Extensions.Configuration;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests;

/// <summary>
/// A key's labels scope, as <c>SWITCHBOARD_API_KEYS</c> and configuration give it: after the key and whitespace, since a
/// key may hold <c>:</c> and <c>=</c>; a scope that does not parse is one problem naming the key by position only.
/// </summary>
public sealed class ApiKeyScopeTests
{
    private const string K = "key-0123456789abcdef";

    private static IReadOnlyDictionary<string, string>? ScopeOf(ApiKeyRing ring, string key) => ring.Find(key)?.Labels?.ToDictionary();

    [Fact]
    public void TheIssuesListParsesEveryForm()
    {
        var options = new SecurityOptions().AddApiKeys($"{K}1, {K}2:read, {K}3 team=red, {K}4:read team=red env=prod, a:b=c:d-0123456789abcdef  x=y=z ");
        ApiKeyRing.Validate(options).ShouldBeEmpty();
        var ring = new ApiKeyRing(options);

        ring.Find(K + "1")!.Role.ShouldBe(ApiKeyRole.Operator);
        ScopeOf(ring, K + "1").ShouldBeNull("no scope: the whole fleet, as before");
        ring.Find(K + "2")!.Role.ShouldBe(ApiKeyRole.Read);
        ScopeOf(ring, K + "2").ShouldBeNull();
        ring.Find(K + "3")!.Role.ShouldBe(ApiKeyRole.Operator);
        ScopeOf(ring, K + "3").ShouldBe(new Dictionary<string, string> { ["team"] = "red" });
        ring.Find(K + "4")!.Role.ShouldBe(ApiKeyRole.Read);
        ScopeOf(ring, K + "4").ShouldBe(new Dictionary<string, string> { ["team"] = "red", ["env"] = "prod" }, ignoreOrder: true);
        ScopeOf(ring, "a:b=c:d-0123456789abcdef").ShouldBe(new Dictionary<string, string> { ["x"] = "y=z" }, "the key keeps its ':' and '=', a value its '='");
        ring.Find(K + "3 team=red").ShouldBeNull("the scope is no part of the key");
    }

    [Theory]
    [InlineData($"{K} team", "#1: its labels scope has 'team', which is not a key=value label")]
    [InlineData($"{K} team=", "#1: its labels scope has 'team=', which is not a key=value label")]
    [InlineData($"{K}:read =red", "#1: its labels scope has '=red', which is not a key=value label")]
    [InlineData($"{K}x, {K} team=red team=blue", "#2: its labels scope names label 'team' twice")]
    [InlineData($"{K} te@m=red", "#1: its labels scope has the label key 'te@m'")]
    public void AScopeThatDoesNotParseIsOneProblemThatNeverShowsTheKey(string list, string expected)
    {
        var problems = ApiKeyRing.Validate(new SecurityOptions().AddApiKeys(list));
        problems.Count.ShouldBe(1, string.Join(" | ", problems));
        problems[0].ShouldContain("API key " + expected);
        problems[0].ShouldContain("`[@name ]<key>[:read|:agent|:operator] team=red env=prod`");
        problems[0].ShouldNotContain("0123456789abcdef");
    }

    [Fact]
    public void ConfigurationGivesTheScopeAsLabelsOfTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Switchboard:Security:ApiKeys:0:Key"] = K,
            ["Switchboard:Security:ApiKeys:0:Labels:team"] = "red",
            ["Switchboard:Security:ApiKeys:1:Key"] = K + "-old",
            ["Switchboard:Security:ApiKeys:1:Scope"] = "Read",
        }).Build();
        var options = new SwitchboardOptions();
        configuration.GetSection("Switchboard").Bind(options);

        ApiKeyRing.Validate(options.Security).ShouldBeEmpty();
        var ring = new ApiKeyRing(options.Security);
        ScopeOf(ring, K).ShouldBe(new Dictionary<string, string> { ["team"] = "red" });
        ring.Find(K)!.Grant.Labels.ShouldNotBeNull()["team"].ShouldBe("red");
        ring.Find(K + "-old")!.Role.ShouldBe(ApiKeyRole.Read);
        ring.Find(K + "-old")!.Grant.ShouldBeSameAs(StreamGrant.Unrestricted);

        var empty = new SwitchboardOptions();
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Switchboard:Security:ApiKeys:0:Key"] = K,
            ["Switchboard:Security:ApiKeys:0:Labels:team"] = "",
        }).Build().GetSection("Switchboard").Bind(empty);
        ApiKeyRing.Validate(empty.Security).ShouldHaveSingleItem().ShouldContain("gives label 'team' an empty value");
    }
}
