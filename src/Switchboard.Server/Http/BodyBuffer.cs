using System.Buffers;
using System.Numerics;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>
/// A request body in pooled memory that grows as its bytes arrive: <see cref="InitialBytes"/> first, then twice as much
/// each time it fills, never more than its limit rounded up to a power of two, whatever the request announced. Each
/// growth is reserved in the node's <see cref="RequestBodyBudget"/> before it is rented; past the budget the read is
/// refused (a <see cref="RequestException"/> with 503 and <c>Retry-After</c>) and nothing more is allocated. The
/// buffer is returned to the pool and its reservation released on <see cref="Dispose"/>, by whoever created it.
/// </summary>
internal sealed class BodyBuffer(RequestBodyBudget budget, long maxBytes) : IDisposable
{
    /// <summary>The first buffer: a hook event or an API write fits, and a request that sends a few bytes costs no more.</summary>
    public const int InitialBytes = 4096;

    /// <summary>The pool's smallest array: asking for less still rents this much.</summary>
    private const int MinimumRent = 16;

    /// <summary>Sizes the shared pool keeps (and rents exactly); past it, it allocates exactly what is asked.</summary>
    private const int LargestPooled = 1 << 30;

    private readonly int _maxBytes = (int)Math.Min(maxBytes, Array.MaxLength);
    private byte[] _buffer = [];
    private int _length;
    private int _reserved;

    /// <summary>Bytes received so far.</summary>
    public int Length => _length;

    /// <summary>Bytes held (and reserved in the budget) for them now.</summary>
    public int Capacity => _reserved;

    /// <summary>The bytes received, valid until <see cref="Dispose"/>.</summary>
    public Memory<byte> Written => _buffer.AsMemory(0, _length);

    /// <summary>
    /// The most one body of up to <paramref name="maxBytes"/> reserves at once: its largest buffer and, while growing
    /// into it, the one before.
    /// </summary>
    public static long PeakBytes(long maxBytes)
    {
        var largest = LargestCapacity((int)Math.Min(maxBytes, Array.MaxLength));
        var before = 0;
        for (var size = NextSize(0, largest); size < largest; size = NextSize(size, largest))
        {
            before = size;
        }

        return (long)largest + before;
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end: true when it ended within the limit, false as soon as more than the
    /// limit arrived (the rest is left unread). Throws a 503 <see cref="RequestException"/> when the budget refuses to
    /// grow; any failure of the source propagates. Either way the caller still disposes this buffer.
    /// </summary>
    public async Task<bool> ReadToEndAsync(Stream source)
    {
        while (_length < _maxBytes)
        {
            var read = await source.ReadAsync(Room());
            if (read == 0)
            {
                return true;
            }

            _length += read;
        }

        // Exactly at the limit: one more byte would be over it, and none is buffered for it.
        return await source.ReadAsync(new byte[1]) == 0;
    }

    public void Dispose()
    {
        if (_reserved > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            budget.Release(_reserved);
            _buffer = [];
            _reserved = 0;
            _length = 0;
        }
    }

    /// <summary>The free part of the buffer (grown first when full), no further than the limit.</summary>
    private Memory<byte> Room()
    {
        if (_length == _reserved)
        {
            Grow();
        }

        return _buffer.AsMemory(_length, Math.Min(_reserved, _maxBytes) - _length);
    }

    private void Grow()
    {
        var size = NextSize(_reserved, LargestCapacity(_maxBytes));
        if (!budget.TryReserve(size))
        {
            throw new RequestException(budget.Refusal());
        }

        byte[] bigger;
        try
        {
            bigger = ArrayPool<byte>.Shared.Rent(size);
        }
        catch
        {
            budget.Release(size);
            throw;
        }

        _buffer.AsSpan(0, _length).CopyTo(bigger);
        var old = _buffer;
        var oldReserved = _reserved;
        _buffer = bigger;
        _reserved = size;
        if (oldReserved > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
            budget.Release(oldReserved);
        }
    }

    /// <summary>
    /// The size after <paramref name="current"/> (0: none yet): <see cref="InitialBytes"/>, then twice as much, at most
    /// <paramref name="largest"/>. Powers of two up to the pool's largest, so the pool rents exactly what is reserved.
    /// </summary>
    private static int NextSize(int current, int largest) =>
        Math.Max(MinimumRent, (int)Math.Min(current == 0 ? InitialBytes : 2L * current, largest));

    /// <summary>
    /// The limit rounded up to the size the pool rents for it, so what is reserved is what is allocated: a 4 MiB limit
    /// holds at most 4 MiB, not the 8 MiB a rent of 4 MiB + 1 would take.
    /// </summary>
    private static int LargestCapacity(int maxBytes) =>
        maxBytes <= LargestPooled ? (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(maxBytes, MinimumRent)) : maxBytes;
}
