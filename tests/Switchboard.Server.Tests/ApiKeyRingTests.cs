using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests;

public sealed class ApiKeyRingTests
{
    private const string First = "first-key-0123456789abcdef";
    private const string Second = "second-key-0123456789abcdef";

    [Fact]
    public void ReplacingTheKeysTakesEffectForTheNextLookup()
    {
        var ring = new ApiKeyRing(new SecurityOptions().AddApiKeys(First));
        ring.TryReplace(new SecurityOptions().AddApiKeys(Second + ":read")).ShouldBeNull();
        ring.Find(First).ShouldBeNull();
        ring.Find(Second)!.Role.ShouldBe(ApiKeyRole.Read);
    }

    [Fact]
    public void AReplacementThatIsInvalidOrWouldChangeWhetherAuthIsOnIsRefusedAndTheKeysStay()
    {
        var ring = new ApiKeyRing(new SecurityOptions().AddApiKeys(First));
        ring.TryReplace(new SecurityOptions()).ShouldNotBeNull().ShouldContain("switch auth off");
        ring.TryReplace(new SecurityOptions().AddApiKeys("short")).ShouldNotBeNull().ShouldContain("shorter than");
        ring.TryReplace(new SecurityOptions().AddApiKeys($"{Second},{Second}")).ShouldNotBeNull().ShouldContain("twice");
        ring.Find(First).ShouldNotBeNull();

        var off = new ApiKeyRing(new SecurityOptions());
        off.TryReplace(new SecurityOptions().AddApiKeys(Second)).ShouldNotBeNull().ShouldContain("restart");
        off.IsEmpty.ShouldBeTrue();
    }
}
