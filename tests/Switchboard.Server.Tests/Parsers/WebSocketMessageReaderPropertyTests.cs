using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Switchboard.Server.Transports.WebSockets;

namespace Switchboard.Server.Tests.Parsers;

/// <summary>
/// Property tests of the WebSocket message reader (frames into messages, RFC 6455 §5.4), seeded and reproducible:
/// random byte streams, valid streams split at every byte, fragmented messages with control frames between their
/// fragments, the message size limit, masked and unmasked frames, close frames of every kind. No exception escapes, and
/// every input ends as a message, a control frame, "read more", or a close with a defined code.
/// </summary>
public sealed class WebSocketMessageReaderPropertyTests(ITestOutputHelper output)
{
    private const int Max = 4096;
    private static readonly ushort[] RefusalCodes = [CloseCodes.ProtocolError, CloseCodes.InvalidPayload, CloseCodes.MessageTooBig];
    private readonly int _seed = Sequences.Seed();

    private string Seed => $"SWITCHBOARD_FUZZ_SEED={_seed}";

    /// <summary>What a stream of bytes read to its end gave, as the connection would see it.</summary>
    private sealed record Outcomes(List<(byte Opcode, byte[] Payload)> Messages, List<byte[]> Pings, int Pongs, (WebSocketRead Kind, ushort Code)? End);

    [Fact]
    public void RandomStreamsEndAsDefinedOutcomesNeverAnException()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        var ends = new Dictionary<string, int>();
        for (var round = 0; round < 5_000; round++)
        {
            // Mostly frames with a random flaw here and there, so the reader gets past the first header.
            var stream = new List<byte>();
            for (var f = rng.Next(1, 8); f > 0; f--)
            {
                var frame = RandomFrame(rng);
                if (rng.Next(4) == 0)
                {
                    frame[rng.Next(frame.Length)] = (byte)rng.Next(256);
                }

                stream.AddRange(frame);
            }

            var bytes = stream.ToArray();
            var what = $"{Seed}, round {round}: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 64)))}";
            var result = ReadAll(bytes, RandomCuts(rng, bytes.Length), what);
            var key = result.End is { } end ? $"{end.Kind} {end.Code}" : "read everything";
            ends[key] = ends.GetValueOrDefault(key) + 1;
        }

        output.WriteLine(string.Join(", ", ends.OrderBy(e => e.Key).Select(e => $"{e.Key}: {e.Value}")));
    }

    [Fact]
    public void FragmentedMessagesWithControlFramesBetweenThemReadTheSameSplitAtEveryByte()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        for (var round = 0; round < 60; round++)
        {
            var sent = new List<(byte Opcode, byte[] Payload)>();
            var pings = new List<byte[]>();
            var stream = new List<byte>();
            for (var m = rng.Next(1, 4); m > 0; m--)
            {
                var opcode = rng.Next(2) == 0 ? FrameHeader.Text : FrameHeader.Binary;
                var payload = opcode == FrameHeader.Text ? Encoding.UTF8.GetBytes(Text(rng, rng.Next(0, 200))) : Bytes(rng, rng.Next(0, 300));
                sent.Add((opcode, payload));
                var pieces = Cut(rng, payload, rng.Next(1, 5)); // a UTF-8 character may be split between fragments
                for (var i = 0; i < pieces.Count; i++)
                {
                    stream.AddRange(Frame(i == pieces.Count - 1, i == 0 ? opcode : FrameHeader.Continuation, pieces[i], rng));
                    if (rng.Next(2) == 0)
                    {
                        var ping = Bytes(rng, rng.Next(0, 126));
                        pings.Add(ping);
                        stream.AddRange(Frame(true, FrameHeader.Ping, ping, rng));
                    }

                    if (rng.Next(3) == 0)
                    {
                        stream.AddRange(Frame(true, FrameHeader.Pong, Bytes(rng, rng.Next(0, 126)), rng));
                    }
                }
            }

            var bytes = stream.ToArray();
            for (var cut = 0; cut <= bytes.Length; cut++)
            {
                var what = $"{Seed}, round {round}, split at {cut}";
                var result = ReadAll(bytes, [cut], what);
                result.End.ShouldBeNull(what);
                result.Messages.Count.ShouldBe(sent.Count, what);
                for (var i = 0; i < sent.Count; i++)
                {
                    result.Messages[i].Opcode.ShouldBe(sent[i].Opcode, what);
                    result.Messages[i].Payload.ShouldBe(sent[i].Payload, what);
                }

                result.Pings.Count.ShouldBe(pings.Count, what);
                for (var i = 0; i < pings.Count; i++)
                {
                    result.Pings[i].ShouldBe(pings[i], what);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void AMessageUpToTheLimitIsReadAndOneByteMoreIsRefusedWith1009BeforeItsPayloadArrives(int fragments)
    {
        var rng = new Random(_seed);
        var atLimit = Bytes(rng, Max);
        var stream = Fragments(FrameHeader.Binary, atLimit, fragments, rng, pingBetween: true);
        var read = ReadAll(stream, [], "at the limit");
        read.End.ShouldBeNull();
        read.Messages.ShouldHaveSingleItem().Payload.ShouldBe(atLimit);

        // One byte over: the fragment that crosses the limit is refused on its header, before its payload is held.
        var over = Fragments(FrameHeader.Binary, Bytes(rng, Max + 1), fragments, rng, pingBetween: true);
        using var reader = new WebSocketMessageReader(Max);
        var position = 0;
        WebSocketRead outcome;
        while ((outcome = reader.Read(new ReadOnlySequence<byte>(over, position, over.Length - position))) is not WebSocketRead.Refused)
        {
            outcome.ShouldNotBe(WebSocketRead.NeedMore);
            position += (int)reader.Consumed;
        }

        reader.CloseCode.ShouldBe(CloseCodes.MessageTooBig);
        reader.Consumed.ShouldBe(0);
        var crossing = over.AsSpan(position);
        HeaderLength(crossing).ShouldBeLessThan(crossing.Length);
        using var headerOnly = new WebSocketMessageReader(Max);
        var prefix = over[..(position + HeaderLength(crossing))];
        var offset = 0;
        while ((outcome = headerOnly.Read(new ReadOnlySequence<byte>(prefix, offset, prefix.Length - offset))) is not (WebSocketRead.Refused or WebSocketRead.NeedMore))
        {
            offset += (int)headerOnly.Consumed;
        }

        outcome.ShouldBe(WebSocketRead.Refused, "refused on the header alone");
        headerOnly.CloseCode.ShouldBe(CloseCodes.MessageTooBig);
    }

    [Fact]
    public void ControlFramesBetweenFragmentsDoNotCountTowardsTheMessageSize()
    {
        var rng = new Random(_seed);
        var stream = new List<byte>();
        stream.AddRange(Frame(false, FrameHeader.Text, Encoding.ASCII.GetBytes(new string('a', Max / 2)), rng));
        for (var i = 0; i < 20; i++)
        {
            stream.AddRange(Frame(true, FrameHeader.Ping, Bytes(rng, 125), rng));
        }

        stream.AddRange(Frame(true, FrameHeader.Continuation, Encoding.ASCII.GetBytes(new string('b', Max / 2)), rng));
        var read = ReadAll([.. stream], [], "pings between halves");
        read.End.ShouldBeNull();
        read.Messages.ShouldHaveSingleItem().Payload.Length.ShouldBe(Max);
        read.Pings.Count.ShouldBe(20);
    }

    [Fact]
    public void DataFramesOutOfOrderUnmaskedFramesAndBrokenTextAreRefusedWithTheirCodes()
    {
        var rng = new Random(_seed);
        var cases = new (string What, byte[] Stream, ushort Code)[]
        {
            ("continuation with nothing to continue", Frame(true, FrameHeader.Continuation, [1], rng), CloseCodes.ProtocolError),
            ("text inside a fragmented message", [.. Frame(false, FrameHeader.Text, "a"u8.ToArray(), rng), .. Frame(true, FrameHeader.Text, "b"u8.ToArray(), rng)], CloseCodes.ProtocolError),
            ("binary inside a fragmented message", [.. Frame(false, FrameHeader.Binary, [1], rng), .. Frame(false, FrameHeader.Binary, [2], rng)], CloseCodes.ProtocolError),
            ("an unmasked frame", Frame(true, FrameHeader.Text, "hi"u8.ToArray(), rng, masked: false), CloseCodes.ProtocolError),
            ("an unmasked ping between fragments", [.. Frame(false, FrameHeader.Text, "a"u8.ToArray(), rng), .. Frame(true, FrameHeader.Ping, [], rng, masked: false)], CloseCodes.ProtocolError),
            ("a fragmented ping", Frame(false, FrameHeader.Ping, [], rng), CloseCodes.ProtocolError),
            ("invalid UTF-8 across fragments", [.. Frame(false, FrameHeader.Text, [0xC3], rng), .. Frame(true, FrameHeader.Continuation, [0x28], rng)], CloseCodes.InvalidPayload),
            ("an encoded surrogate", Frame(true, FrameHeader.Text, [0xED, 0xA0, 0x80], rng), CloseCodes.InvalidPayload),
        };
        foreach (var (what, stream, code) in cases)
        {
            var read = ReadAll(stream, [], what);
            read.End.ShouldBe((WebSocketRead.Refused, code), what);
            read.Messages.ShouldBeEmpty(what);
        }

        var split = ReadAll([.. Frame(false, FrameHeader.Text, [0xC3], rng), .. Frame(true, FrameHeader.Continuation, [0xA9], rng)], [], "é split");
        split.Messages.ShouldHaveSingleItem().Payload.ShouldBe("é"u8.ToArray());
    }

    [Fact]
    public void CloseFramesAreEchoedOrRefusedByTheRules()
    {
        var rng = new Random(_seed);
        (byte[] Payload, ushort Code, bool Violation)[] cases =
        [
            ([], CloseCodes.Normal, false),
            ([0x03], CloseCodes.ProtocolError, true),
            (Close(1000, "bye"u8), 1000, false),
            (Close(1001, ""u8), 1001, false),
            (Close(4000, "app"u8), 4000, false),
            (Close(1005, ""u8), CloseCodes.ProtocolError, true), // reserved: never on the wire
            (Close(1006, ""u8), CloseCodes.ProtocolError, true),
            (Close(1015, ""u8), CloseCodes.ProtocolError, true),
            (Close(2000, ""u8), CloseCodes.ProtocolError, true),
            (Close(999, ""u8), CloseCodes.ProtocolError, true),
            (Close(1000, [0xC3, 0x28]), CloseCodes.InvalidPayload, true),
        ];
        foreach (var (payload, code, violation) in cases)
        {
            using var reader = new WebSocketMessageReader(Max);
            var what = Convert.ToHexString(payload);
            reader.Read(new ReadOnlySequence<byte>(Frame(true, FrameHeader.Close, payload, rng))).ShouldBe(WebSocketRead.Close, what);
            reader.CloseCode.ShouldBe(code, what);
            reader.CloseIsViolation.ShouldBe(violation, what);
        }

        for (var round = 0; round < 2_000; round++)
        {
            using var reader = new WebSocketMessageReader(Max);
            var payload = Bytes(rng, rng.Next(0, 126));
            reader.Read(new ReadOnlySequence<byte>(Frame(true, FrameHeader.Close, payload, rng))).ShouldBe(WebSocketRead.Close);
            var code = reader.CloseCode;
            (code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999)).ShouldBeTrue($"{Seed}, round {round}: {code}");
        }
    }

    /// <summary>Feeds <paramref name="bytes"/> in the pieces <paramref name="cuts"/> make, as a pipe would, until a close or the end.</summary>
    private static Outcomes ReadAll(byte[] bytes, int[] cuts, string what)
    {
        using var reader = new WebSocketMessageReader(Max);
        var messages = new List<(byte, byte[])>();
        var pings = new List<byte[]>();
        var pongs = 0;
        var bounds = cuts.Where(c => c > 0 && c < bytes.Length).Order().Append(bytes.Length).ToArray();
        var start = 0; // consumed so far
        foreach (var available in bounds)
        {
            while (true)
            {
                var pending = bytes.AsSpan(start, available - start).ToArray();
                WebSocketRead outcome;
                try
                {
                    outcome = reader.Read(Sequences.Split(pending, pending.Length / 2));
                }
                catch (Exception ex)
                {
                    throw new ShouldAssertException($"{what}: the reader threw {ex}");
                }

                Enum.IsDefined(outcome).ShouldBeTrue(what);
                if (outcome == WebSocketRead.NeedMore)
                {
                    reader.Consumed.ShouldBe(0, what);
                    break;
                }

                if (outcome == WebSocketRead.Refused)
                {
                    RefusalCodes.ShouldContain(reader.CloseCode, what);
                    reader.CloseReason.ShouldNotBeNullOrEmpty(what);
                    return new(messages, pings, pongs, (outcome, reader.CloseCode));
                }

                reader.Consumed.ShouldBeGreaterThan(0, what);
                reader.Consumed.ShouldBeLessThanOrEqualTo(pending.Length, what);
                start += (int)reader.Consumed;
                switch (outcome)
                {
                    case WebSocketRead.Message:
                        reader.MessageOpcode.ShouldBeOneOf(FrameHeader.Text, FrameHeader.Binary);
                        messages.Add((reader.MessageOpcode, reader.Message.ToArray()));
                        reader.Release();
                        break;
                    case WebSocketRead.Ping:
                        pings.Add(reader.ControlPayload.ToArray());
                        break;
                    case WebSocketRead.Pong:
                        pongs++;
                        break;
                    case WebSocketRead.Close:
                        return new(messages, pings, pongs, (outcome, reader.CloseCode));
                }
            }
        }

        return new(messages, pings, pongs, null);
    }

    private static int[] RandomCuts(Random rng, int length) => [.. Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Next(length + 1))];

    private static byte[] RandomFrame(Random rng)
    {
        var opcode = rng.Next(10) switch
        {
            < 3 => FrameHeader.Text,
            < 5 => FrameHeader.Binary,
            < 7 => FrameHeader.Continuation,
            7 => FrameHeader.Ping,
            8 => FrameHeader.Pong,
            _ => FrameHeader.Close,
        };
        var control = opcode >= FrameHeader.Close;
        var length = control ? rng.Next(0, 126) : rng.Next(4) == 0 ? rng.Next(Max - 100, Max + 100) : rng.Next(0, 300);
        var payload = opcode == FrameHeader.Text && rng.Next(2) == 0 ? Encoding.UTF8.GetBytes(Text(rng, length / 3)) : Bytes(rng, length);
        return Frame(control || rng.Next(3) > 0, opcode, payload, rng, masked: rng.Next(20) > 0);
    }

    private static byte[] Fragments(byte opcode, byte[] payload, int count, Random rng, bool pingBetween)
    {
        var stream = new List<byte>();
        var pieces = Cut(rng, payload, count);
        for (var i = 0; i < pieces.Count; i++)
        {
            stream.AddRange(Frame(i == pieces.Count - 1, i == 0 ? opcode : FrameHeader.Continuation, pieces[i], rng));
            if (pingBetween && i < pieces.Count - 1)
            {
                stream.AddRange(Frame(true, FrameHeader.Ping, Bytes(rng, 10), rng));
            }
        }

        return [.. stream];
    }

    private static List<byte[]> Cut(Random rng, byte[] payload, int count)
    {
        var cuts = Enumerable.Range(0, count - 1).Select(_ => rng.Next(payload.Length + 1)).Order().Prepend(0).Append(payload.Length).ToArray();
        return [.. Enumerable.Range(0, cuts.Length - 1).Select(i => payload[cuts[i]..cuts[i + 1]])];
    }

    /// <summary>A client frame with the shortest length encoding, masked unless told otherwise.</summary>
    private static byte[] Frame(bool fin, byte opcode, byte[] payload, Random rng, bool masked = true)
    {
        var bytes = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length < 126)
        {
            bytes.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            bytes.Add((byte)(maskBit | 126));
            bytes.AddRange([(byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            bytes.Add((byte)(maskBit | 127));
            var big = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(big, payload.Length);
            bytes.AddRange(big);
        }

        var key = masked ? Bytes(rng, 4) : [0, 0, 0, 0];
        if (masked)
        {
            bytes.AddRange(key);
        }

        bytes.AddRange(payload.Select((b, i) => (byte)(b ^ key[i & 3])));
        return [.. bytes];
    }

    private static int HeaderLength(ReadOnlySpan<byte> frame) => (frame[1] & 0x7F) switch
    {
        126 => 8,
        127 => 14,
        _ => 6,
    };

    private static byte[] Close(ushort code, ReadOnlySpan<byte> reason)
    {
        var bytes = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, code);
        reason.CopyTo(bytes.AsSpan(2));
        return bytes;
    }

    private static byte[] Bytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    private static string Text(Random rng, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => rng.Next(5) switch
        {
            0 => "é",
            1 => "\U0001F600",
            2 => "€",
            _ => ((char)rng.Next('a', 'z' + 1)).ToString(),
        }));
}
