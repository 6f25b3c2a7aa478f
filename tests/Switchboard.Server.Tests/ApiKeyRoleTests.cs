using Microsoft.Extensions.Configuration;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests;

/// <summary>
/// A key's role and name (issue 56), as <c>SWITCHBOARD_API_KEYS</c> and configuration give them:
/// <c>[@name ]key[:read|:agent|:operator] label=value …</c>. No suffix, and <c>:write</c>, keep their old meaning: operator.
/// </summary>
public sealed class ApiKeyRoleTests
{
    private const string K = "key-0123456789abcdef";

    [Fact]
    public void TheListGivesEachKeyItsRoleNameAndScope()
    {
        var options = new SecurityOptions().AddApiKeys(
            $"{K}1, {K}2:read, {K}3:agent, {K}4:operator, {K}5:WRITE, @ci-agents {K}6:agent team=red, @ops.lead_2 {K}7");
        ApiKeyRing.Validate(options).ShouldBeEmpty();
        var ring = new ApiKeyRing(options);

        ring.Find(K + "1")!.Role.ShouldBe(ApiKeyRole.Operator, "no suffix keeps today's meaning");
        ring.Find(K + "2")!.Role.ShouldBe(ApiKeyRole.Read);
        ring.Find(K + "3")!.Role.ShouldBe(ApiKeyRole.Agent);
        ring.Find(K + "4")!.Role.ShouldBe(ApiKeyRole.Operator);
        ring.Find(K + "5")!.Role.ShouldBe(ApiKeyRole.Operator, ":write is the operator's older name");
        var agent = ring.Find(K + "6")!;
        agent.Role.ShouldBe(ApiKeyRole.Agent);
        agent.Name.ShouldBe("@ci-agents");
        agent.Labels!.ToDictionary().ShouldBe(new Dictionary<string, string> { ["team"] = "red" });
        ring.Find(K + "7")!.Name.ShouldBe("@ops.lead_2");
        ring.Find(K + "1")!.Name.ShouldBe(ring.Find(K + "1")!.Fingerprint, "an unnamed key is named by its fingerprint");
        ring.Find(K + "1")!.Name.ShouldMatch("^key-[0-9a-f]{8}$");
        ring.Find("@ci-agents").ShouldBeNull("a name is no key");
        ring.Names.ShouldContain("@ci-agents");
        ring.Names.ShouldNotContain(n => n.Contains("0123456789abcdef"));
    }

    [Fact]
    public void EachRoleMayDoWhatTheRolesBeforeItMay()
    {
        var read = new ApiKeyIdentity(ApiKeyRole.Read, "key-1");
        var agent = new ApiKeyIdentity(ApiKeyRole.Agent, "key-2");
        var op = new ApiKeyIdentity(ApiKeyRole.Operator, "key-3");
        (read.Allows(ApiKeyRole.Read), read.Allows(ApiKeyRole.Agent), read.Allows(ApiKeyRole.Operator)).ShouldBe((true, false, false));
        (agent.Allows(ApiKeyRole.Read), agent.Allows(ApiKeyRole.Agent), agent.Allows(ApiKeyRole.Operator)).ShouldBe((true, true, false));
        (op.Allows(ApiKeyRole.Read), op.Allows(ApiKeyRole.Agent), op.Allows(ApiKeyRole.Operator)).ShouldBe((true, true, true));
    }

    [Theory]
    [InlineData($"@ {K}", "#1: its name is not 1-32 characters from [A-Za-z0-9._-]")]
    [InlineData($"@has/slash {K}", "#1: its name is not 1-32 characters from [A-Za-z0-9._-]")]
    [InlineData($"@a-name-that-is-longer-than-32-chars {K}", "#1: its name is not 1-32 characters from [A-Za-z0-9._-]")]
    [InlineData($"@ops {K}1, @OPS {K}2:agent", "#2: its name is already another key's")]
    [InlineData("@ops", "#1 has a name but no key; write the name before the key, `@name <key>[:role]`")]
    public void ANameThatIsNotOneIsOneProblemThatNeverShowsTheKey(string list, string expected)
    {
        var problems = ApiKeyRing.Validate(new SecurityOptions().AddApiKeys(list));
        problems.Count.ShouldBe(1, string.Join(" | ", problems));
        problems[0].ShouldContain("API key " + expected);
        problems[0].ShouldNotContain("0123456789abcdef");
    }

    [Fact]
    public void AKeyWrittenWhereTheNameGoesIsNeverEchoed()
    {
        // A key that happens to begin with '@' reads as a name; start-up stops, and the line shows neither.
        var problems = ApiKeyRing.Validate(new SecurityOptions().AddApiKeys("@secret-0123456789abcdef-and-more-than-32"));
        problems.ShouldHaveSingleItem().ShouldContain("has a name but no key");
        problems[0].ShouldNotContain("secret");
    }

    [Fact]
    public void ConfigurationGivesRoleAndNameAndTheOlderScopeKeepsItsMeaning()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Switchboard:Security:ApiKeys:0:Key"] = K + "1",
            ["Switchboard:Security:ApiKeys:0:Role"] = "Agent",
            ["Switchboard:Security:ApiKeys:0:Name"] = "@claude-fleet",
            ["Switchboard:Security:ApiKeys:1:Key"] = K + "2",
            ["Switchboard:Security:ApiKeys:1:Scope"] = "Read",
            ["Switchboard:Security:ApiKeys:2:Key"] = K + "3",
            ["Switchboard:Security:ApiKeys:2:Scope"] = "Write",
            ["Switchboard:Security:ApiKeys:2:Name"] = "ops",
            ["Switchboard:Security:ApiKeys:3:Key"] = K + "4",
        });
        ApiKeyRing.Validate(options.Security).ShouldBeEmpty();
        var ring = new ApiKeyRing(options.Security);
        ring.Find(K + "1")!.ShouldSatisfyAllConditions(k => k.Role.ShouldBe(ApiKeyRole.Agent), k => k.Name.ShouldBe("@claude-fleet"));
        ring.Find(K + "2")!.Role.ShouldBe(ApiKeyRole.Read, "Scope=Read, written before roles, still reads only");
        ring.Find(K + "3")!.ShouldSatisfyAllConditions(k => k.Role.ShouldBe(ApiKeyRole.Operator), k => k.Name.ShouldBe("@ops"));
        ring.Find(K + "4")!.Role.ShouldBe(ApiKeyRole.Operator);

        var contradicting = Bind(new Dictionary<string, string?>
        {
            ["Switchboard:Security:ApiKeys:0:Key"] = K,
            ["Switchboard:Security:ApiKeys:0:Role"] = "Agent",
            ["Switchboard:Security:ApiKeys:0:Scope"] = "Read",
        });
        ApiKeyRing.Validate(contradicting.Security).ShouldHaveSingleItem().ShouldContain("gives both a Role and the older Scope, and they disagree");
    }

    [Fact]
    public void RotationKeepsWorkingWithRolesAndNames()
    {
        var ring = new ApiKeyRing(new SecurityOptions().AddApiKeys($"@ops {K}1"));
        ring.TryReplace(new SecurityOptions().AddApiKeys($"@ops {K}1, @agents {K}2:agent")).ShouldBeNull();
        ring.Find(K + "2")!.ShouldSatisfyAllConditions(k => k.Role.ShouldBe(ApiKeyRole.Agent), k => k.Name.ShouldBe("@agents"));
        ring.TryReplace(new SecurityOptions().AddApiKeys($"@ops {K}1, @ops {K}2:agent")).ShouldNotBeNull().ShouldContain("already another key's");
        ring.Find(K + "2")!.Name.ShouldBe("@agents", "a refused replacement leaves the keys as they were");
    }

    private static SwitchboardOptions Bind(Dictionary<string, string?> values)
    {
        var options = new SwitchboardOptions();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Switchboard").Bind(options);
        return options;
    }
}
