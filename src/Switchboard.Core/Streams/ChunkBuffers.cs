using System.Buffers;

namespace Switchboard.Core.Streams;

/// <summary>
/// Where a read puts the large chunks it answers with: arrays rented from <see cref="ArrayPool{T}.Shared"/>, held until
/// the response is written and then returned by <see cref="Dispose"/>. Chunks are often hundreds of KiB; a fresh array
/// for each would land on the large object heap, and a catch-up read of a long stream would keep the background GC busy
/// (a quarter of the server's CPU in a 100 MB catch-up). Owned by one request; not thread-safe.
/// </summary>
internal sealed class ChunkBuffers : IDisposable
{
    private List<byte[]>? _rented = [];

    /// <summary>
    /// Reads all of <paramref name="blob"/> (and disposes it): into an array rented for <paramref name="into"/>, or without
    /// one into an array of its own.
    /// </summary>
    public static ReadOnlyMemory<byte> Read(Stream blob, ChunkBuffers? into)
    {
        using (blob)
        {
            var length = checked((int)blob.Length);
            byte[] array;
            if (into is null)
            {
                array = new byte[length];
            }
            else
            {
                var rented = into._rented ?? throw new ObjectDisposedException(nameof(ChunkBuffers));
                array = ArrayPool<byte>.Shared.Rent(length);
                rented.Add(array);
            }

            blob.ReadExactly(array, 0, length);
            return array.AsMemory(0, length);
        }
    }

    /// <summary>Returns every array to the pool; the chunks read into them must not be used after this.</summary>
    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            foreach (var array in rented)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
