using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Tests;

/// <summary><c>Switchboard:Security:TrustedProxy</c>: the header and the proxies' addresses go together, and each address parses.</summary>
public sealed class TrustedProxyOptionsTests
{
    [Fact]
    public void AHeaderWithAddressesOrNeitherIsFine()
    {
        CallerNames.Validate(new TrustedProxyOptions()).ShouldBeEmpty();
        var proxy = new TrustedProxyOptions { UserHeader = "X-Forwarded-User" };
        proxy.Addresses.AddRange(["10.0.0.5", "10.1.0.0/16", "::1", "fd00::/8"]);
        CallerNames.Validate(proxy).ShouldBeEmpty();
    }

    [Fact]
    public void EachMistakeIsALineSayingHowToWriteIt()
    {
        var headerOnly = new TrustedProxyOptions { UserHeader = "X-Forwarded-User" };
        CallerNames.Validate(headerOnly).ShouldHaveSingleItem().ShouldContain("UserHeader and Addresses go together");

        var addressesOnly = new TrustedProxyOptions();
        addressesOnly.Addresses.Add("10.0.0.5");
        CallerNames.Validate(addressesOnly).ShouldHaveSingleItem().ShouldContain("UserHeader and Addresses go together");

        var bad = new TrustedProxyOptions { UserHeader = "X Forwarded: User" };
        bad.Addresses.AddRange(["proxy.internal", "10.0.0.0/99"]);
        var problems = CallerNames.Validate(bad);
        problems.Count.ShouldBe(3, string.Join(" | ", problems));
        problems[0].ShouldContain("UserHeader must be a header name");
        problems[1].ShouldContain("'proxy.internal', which is neither an IP address nor a CIDR range");
        problems[2].ShouldContain("'10.0.0.0/99'");
    }
}
