using System.Diagnostics;
using System.Net;

namespace Switchboard.Testing;

/// <summary>
/// An address whose packets are dropped without a word, as behind a VPN that went down: a connection to it neither
/// succeeds nor is refused until TCP gives up (about two minutes on Linux). Made of a network namespace of its own
/// joined to this one by a veth pair; the address is routed into the namespace, which does not forward, so every packet
/// to it is discarded there (no ICMP: the kernel sends none for a packet it may not forward). Needs root and
/// <c>ip</c>; it fails loudly, never skips, when it cannot be made. Disposing deletes the namespace, and with it the
/// pair and the route.
/// </summary>
public sealed class DroppedAddress : IDisposable
{
    private readonly string _namespace;
    private readonly string _link;

    private DroppedAddress(string name, string link, IPAddress address)
    {
        _namespace = name;
        _link = link;
        Address = address;
    }

    /// <summary>The address nothing answers from.</summary>
    public IPAddress Address { get; }

    public Uri Url(int port, string path) => new($"http://{Address}:{port}{path}");

    public static DroppedAddress Create()
    {
        // A block of its own per instance, so tests running at once never share a route.
        var tag = Random.Shared.Next(0x10000);
        var (a, b) = (200 + (tag >> 8) % 50, tag & 0xff);
        var name = $"sbdrop{tag:x4}";
        var (outer, inner) = ($"sbd{tag:x4}o", $"sbd{tag:x4}i");
        var created = new DroppedAddress(name, outer, IPAddress.Parse($"10.{a}.{b}.9"));
        try
        {
            Ip($"netns add {name}");
            Ip($"link add {outer} type veth peer name {inner}");
            Ip($"link set {inner} netns {name}");
            Ip($"addr add 10.{a}.{b}.1/30 dev {outer}");
            Ip($"link set {outer} up");
            Ip($"netns exec {name} ip addr add 10.{a}.{b}.2/30 dev {inner}");
            Ip($"netns exec {name} ip link set {inner} up");
            Ip($"netns exec {name} sysctl -q -w net.ipv4.ip_forward=0");
            Ip($"route add 10.{a}.{b}.8/29 via 10.{a}.{b}.2");
        }
        catch
        {
            created.Dispose();
            throw;
        }

        return created;
    }

    private static void Ip(string arguments)
    {
        if (TryIp(arguments) is { } failure)
        {
            throw new InvalidOperationException(
                $"{failure}. The test needs root, iproute2 and network namespaces to make an address that drops packets.");
        }
    }

    private static string? TryIp(string arguments)
    {
        var start = new ProcessStartInfo("ip", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ip");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"`ip {arguments}` failed ({process.ExitCode}): {output.Trim()}";
    }

    /// <summary>
    /// Deleting the namespace takes the veth pair, and so the route through it, along; the pair's outer end is deleted
    /// too in case Create stopped before moving its other end. What was never made fails to delete, and that is fine.
    /// </summary>
    public void Dispose()
    {
        TryIp($"netns del {_namespace}");
        TryIp($"link del {_link}");
    }
}
