using System.IO.Pipelines;

namespace Switchboard.Server.Transports.WebSockets.ConnectionLevel;

/// <summary>
/// The socket's own pipes behind a <see cref="Stream"/>, so a connection accepted at the connection level runs the same
/// <see cref="WebSocketConnection"/>: it reads <see cref="Input"/> directly, and a write is one pipe write and flush.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream, IDuplexPipe
{
    private Stream? _reads;

    public PipeReader Input => pipe.Input;

    public PipeWriter Output => pipe.Output;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var flush = pipe.Output.WriteAsync(buffer, cancellationToken);
        var result = flush.IsCompletedSuccessfully ? flush.Result : await flush;
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The connection is closed.");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        (_reads ??= pipe.Input.AsStream(leaveOpen: true)).ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
