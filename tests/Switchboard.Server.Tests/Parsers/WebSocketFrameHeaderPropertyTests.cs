using System.Buffers.Binary;
using Switchboard.Server.Transports.WebSockets;

namespace Switchboard.Server.Tests.Parsers;

/// <summary>
/// Property tests of the WebSocket frame header reader (RFC 6455 §5.2), seeded and reproducible: random bytes, valid
/// headers split at every byte, every length encoding, masked and unmasked, control frames fragmented or too long.
/// No exception escapes, and every refusal is a defined close code (1002).
/// </summary>
public sealed class WebSocketFrameHeaderPropertyTests(ITestOutputHelper output)
{
    private const int Rounds = 20_000;
    private readonly int _seed = Sequences.Seed();

    private string Seed => $"SWITCHBOARD_FUZZ_SEED={_seed}";

    private static readonly byte[] Opcodes = [FrameHeader.Continuation, FrameHeader.Text, FrameHeader.Binary, FrameHeader.Close, FrameHeader.Ping, FrameHeader.Pong];

    [Fact]
    public void RandomBytesGiveAHeaderNeedMoreOrAProtocolErrorNeverAnException()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < Rounds; round++)
        {
            var bytes = new byte[rng.Next(0, 20)];
            rng.NextBytes(bytes);
            var what = $"{Seed}, round {round}: {Convert.ToHexString(bytes)}";
            var split = Sequences.Split(bytes, rng.Next(bytes.Length + 1), rng.Next(bytes.Length + 1));
            var ok = WebSocketFrameParser.TryReadHeader(split, out var header, out var code, out var error);
            string outcome;
            if (ok)
            {
                header.HeaderLength.ShouldBeLessThanOrEqualTo(bytes.Length, what);
                header.PayloadLength.ShouldBeGreaterThanOrEqualTo(0, what);
                Opcodes.ShouldContain(header.Opcode, what);
                (header.IsControl && (!header.Fin || header.PayloadLength > 125)).ShouldBeFalse(what);
                outcome = "header";
            }
            else if (error is null)
            {
                code.ShouldBe((ushort)0, what);
                bytes.Length.ShouldBeLessThan(14, $"{what}: fourteen bytes always hold a whole header");
                outcome = "need more";
            }
            else
            {
                code.ShouldBe(CloseCodes.ProtocolError, what);
                outcome = "1002";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
    }

    [Fact]
    public void ValidHeadersSplitAtEveryByteNeedMoreUntilWholeThenReadTheSame()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        for (var round = 0; round < 2_000; round++)
        {
            var opcode = Opcodes[rng.Next(Opcodes.Length)];
            var control = opcode >= FrameHeader.Close;
            var fin = control || rng.Next(2) == 0;
            long length = control ? rng.Next(126) : rng.Next(3) switch
            {
                0 => rng.Next(126),
                1 => rng.Next(126, 65536),
                _ => rng.NextInt64(65536, long.MaxValue),
            };
            var mask = (uint)rng.Next();
            var bytes = Header(fin, opcode, length, mask);
            var what = $"{Seed}, round {round}: {Convert.ToHexString(bytes)}";
            for (var cut = 0; cut <= bytes.Length; cut++)
            {
                var ok = WebSocketFrameParser.TryReadHeader(Sequences.Split(bytes[..cut], rng.Next(cut + 1)), out _, out var code, out var error);
                if (cut < bytes.Length)
                {
                    ok.ShouldBeFalse($"{what}, {cut} bytes");
                    error.ShouldBeNull($"{what}, {cut} bytes: a prefix of a valid header is no error");
                    code.ShouldBe((ushort)0);
                }
            }

            // Whole, in any two pieces, with payload bytes after it.
            byte[] withPayload = [.. bytes, .. new byte[rng.Next(0, 8)]];
            for (var cut = 0; cut <= withPayload.Length; cut++)
            {
                WebSocketFrameParser.TryReadHeader(Sequences.Split(withPayload, cut), out var header, out _, out var error).ShouldBeTrue($"{what}, split at {cut}: {error}");
                header.ShouldBe(new FrameHeader(fin, opcode, length, mask, bytes.Length), what);
            }
        }
    }

    [Fact]
    public void UnmaskedReservedUnknownAndOversizedControlFramesAreProtocolErrors()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        for (var round = 0; round < 2_000; round++)
        {
            var opcode = Opcodes[rng.Next(Opcodes.Length)];
            var bytes = Header(fin: true, opcode, rng.Next(126), (uint)rng.Next());
            var kind = rng.Next(5);
            switch (kind)
            {
                case 0:
                    bytes[1] &= 0x7F; // unmasked
                    break;
                case 1:
                    bytes[0] |= (byte)(0x10 << rng.Next(3)); // a reserved bit
                    break;
                case 2:
                    bytes[0] = (byte)((bytes[0] & 0xF0) | new[] { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF }[rng.Next(10)]); // unknown opcode
                    break;
                case 3:
                    bytes = Header(fin: false, (byte)(FrameHeader.Close + rng.Next(3)), rng.Next(126), (uint)rng.Next()); // fragmented control
                    break;
                default:
                    bytes = Header(fin: true, (byte)(FrameHeader.Close + rng.Next(3)), rng.Next(126, 70_000), (uint)rng.Next()); // control over 125
                    break;
            }

            var what = $"{Seed}, round {round}, kind {kind}: {Convert.ToHexString(bytes)}";
            WebSocketFrameParser.TryReadHeader(Sequences.Split(bytes, rng.Next(bytes.Length + 1)), out _, out var code, out var error).ShouldBeFalse(what);
            code.ShouldBe(CloseCodes.ProtocolError, what);
            error.ShouldNotBeNullOrEmpty(what);
        }
    }

    [Fact]
    public void ALengthWithTheTopBitSetIsOutOfRange()
    {
        var bytes = Header(fin: true, FrameHeader.Binary, 0, 0);
        byte[] huge = [bytes[0], 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4];
        WebSocketFrameParser.TryReadHeader(new(huge), out _, out var code, out var error).ShouldBeFalse();
        code.ShouldBe(CloseCodes.ProtocolError);
        error.ShouldBe("payload length out of range");
    }

    [Fact]
    public void UnmaskingTwiceGivesThePayloadBackInAnySplit()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        for (var round = 0; round < 500; round++)
        {
            var payload = new byte[rng.Next(0, 300)];
            rng.NextBytes(payload);
            var mask = (uint)rng.Next();
            var masked = new byte[payload.Length];
            WebSocketFrameParser.Unmask(Sequences.Split(payload, rng.Next(payload.Length + 1), rng.Next(payload.Length + 1)), mask, masked);
            var back = new byte[payload.Length];
            WebSocketFrameParser.Unmask(Sequences.Split(masked, rng.Next(masked.Length + 1)), mask, back);
            back.ShouldBe(payload, $"{Seed}, round {round}");
        }
    }

    /// <summary>A masked client frame header, with the shortest length encoding (as RFC 6455 requires).</summary>
    private static byte[] Header(bool fin, byte opcode, long length, uint mask)
    {
        var bytes = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (length < 126)
        {
            bytes.Add((byte)(0x80 | length));
        }
        else if (length <= ushort.MaxValue)
        {
            bytes.Add(0x80 | 126);
            bytes.AddRange([(byte)(length >> 8), (byte)length]);
        }
        else
        {
            bytes.Add(0x80 | 127);
            var big = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(big, length);
            bytes.AddRange(big);
        }

        var key = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, mask);
        bytes.AddRange(key);
        return [.. bytes];
    }
}
