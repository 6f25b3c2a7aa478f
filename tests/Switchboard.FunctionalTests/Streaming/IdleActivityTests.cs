using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>Only real traffic keeps a connection from its idle timeout: pongs and message fragments do not.</summary>
public sealed class IdleActivityTests
{
    [Theory]
    [InlineData(0xA, true)]
    [InlineData(0x1, false)]
    public async Task PongsOrFragmentsAloneDoNotKeepAConnectionAlive(int opcode, bool fin)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.HeartbeatTimeout = TimeSpan.FromSeconds(2));
        await using var raw = await RawWebSocket.ConnectAsync(server.BaseAddress);
        var closed = raw.ReadUntilCloseAsync(TimeSpan.FromSeconds(20));
        var first = true;
        while (!closed.IsCompleted)
        {
            try
            {
                await raw.SendFrameAsync((byte)(first || fin ? opcode : 0x0), ReadOnlyMemory<byte>.Empty, fin);
            }
            catch (IOException)
            {
                break;
            }

            first = false;
            await Task.WhenAny(closed, Task.Delay(250));
        }

        (await closed).Code.ShouldBe((ushort)1001, "closed for silence although a frame came every 250 ms");
    }
}
