using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing;

/// <summary>
/// An address whose connection attempts are dropped without a word, as behind a VPN that went down: a connection to it
/// neither succeeds nor is refused until TCP gives up (about two minutes on Linux). It is a loopback listener whose
/// accept queue is full and never drained: Linux drops each SYN to such a listener, and the client's retransmissions
/// too, so the client waits exactly as it would for a silent address.
/// </summary>
/// <remarks>
/// It changes nothing in the machine's network. An earlier version routed an address into a network namespace of its
/// own; adding that veth pair and route is a network change, and a Chromium running meanwhile in another test aborted
/// its page loads with <c>net::ERR_NETWORK_CHANGED</c>.
/// </remarks>
public sealed class DroppedAddress : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _queued = [];

    private DroppedAddress(Socket listener) => _listener = listener;

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public Uri Url(string path) => new($"http://{EndPoint}{path}");

    public static DroppedAddress Create()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var created = new DroppedAddress(listener);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(0); // room for one connection that is never accepted
            // Fill the queue until a connection attempt goes unanswered: from then on every SYN is dropped.
            for (var i = 0; i < 8; i++)
            {
                var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    probe.Connect(created.EndPoint);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    // under way: a loopback handshake that is answered completes within microseconds
                }

                if (!probe.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectWrite))
                {
                    probe.Dispose();
                    return created;
                }

                created._queued.Add(probe);
            }

            throw new InvalidOperationException(
                $"A listener whose accept queue is full still took {created._queued.Count} connections; this kernel does not drop SYNs to a full queue.");
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var socket in _queued)
        {
            socket.Dispose();
        }

        _listener.Dispose();
    }
}
