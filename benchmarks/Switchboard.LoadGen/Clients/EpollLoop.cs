using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Switchboard.LoadGen.Clients;

/// <summary>
/// One thread waiting on one epoll set (level-triggered) for many client sockets, reading each ready socket once
/// per wake-up on that thread: one recv per burst of frames, no thread-pool hop, nothing allocated. A pool runs
/// one loop per core.
/// </summary>
internal sealed unsafe class EpollLoop : IDisposable
{
    private const int MaxEvents = 512;

    private readonly int _epfd;
    private readonly ConcurrentDictionary<ulong, WsClient> _clients = new();
    private readonly Thread _thread;
    private volatile bool _stopping;

    public EpollLoop(int index)
    {
        _epfd = Libc.EpollCreate(0);
        if (_epfd < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = $"epoll-{index}" };
        _thread.Start();
    }

    public void Add(WsClient client, int fd)
    {
        _clients[(ulong)client.Id] = client;
        if (Libc.Control(_epfd, Libc.EpollCtlAdd, fd, Libc.EpollIn | Libc.EpollRdHup, (ulong)client.Id) != 0)
        {
            _clients.TryRemove((ulong)client.Id, out _);
            throw new InvalidOperationException($"epoll_ctl(ADD) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Stops watching a socket; call before the socket is closed.</summary>
    public void Remove(WsClient client, int fd)
    {
        Libc.Control(_epfd, Libc.EpollCtlDel, fd, 0, 0);
        _clients.TryRemove((ulong)client.Id, out _);
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(5));
        Libc.Close(_epfd);
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Libc.EpollEventSize));
        try
        {
            while (!_stopping)
            {
                var n = Libc.EpollWait(_epfd, events, MaxEvents, 100);
                for (var i = 0; i < n; i++)
                {
                    if (_clients.TryGetValue(Libc.DataAt(events, i), out var client))
                    {
                        client.OnReadable();
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }
}
