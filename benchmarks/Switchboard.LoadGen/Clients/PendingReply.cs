using System.Text;

namespace Switchboard.LoadGen.Clients;

/// <summary>A reply a client waits for: the first message containing <see cref="Token"/>.</summary>
internal sealed class PendingReply(byte[] token)
{
    private readonly TaskCompletionSource<string> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public byte[] Token { get; } = token;

    public Task<string> Task => _reply.Task;

    public bool Matches(ReadOnlySpan<byte> message) => message.IndexOf(Token) >= 0;

    public void Complete(ReadOnlySpan<byte> message) => _reply.TrySetResult(Encoding.UTF8.GetString(message));

    public void Fail(Exception error) => _reply.TrySetException(error);
}
