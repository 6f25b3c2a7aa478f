using System.Text;
using Switchboard.Server.Transports.WebSockets.ConnectionLevel;

namespace Switchboard.Server.Tests.Parsers;

/// <summary>
/// Property tests of the connection-level HTTP head reader, seeded and reproducible: random bytes after the socket's
/// request line, valid heads split at every byte, heads at and past the size limit, bare line feeds, <c>%00</c> in the
/// path of any request. No exception escapes, and every input ends as one defined outcome (Kestrel's, ours, read more,
/// 431, 400, or a problem for the NUL).
/// </summary>
public sealed class RequestHeadPropertyTests(ITestOutputHelper output)
{
    private static readonly byte[] RequestLine = Encoding.ASCII.GetBytes("GET /socket/websocket");
    private readonly int _seed = Sequences.Seed();

    private string Seed => $"SWITCHBOARD_FUZZ_SEED={_seed}";

    private const string Valid = "GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    [Fact]
    public void RandomBytesEndAsOneDefinedOutcomeNeverAnException()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        var alphabet = Encoding.ASCII.GetBytes("GET /socketwbHTP1.\r\n: ?=&\t\0\u00ff");
        var outcomes = new Dictionary<RequestHead.Outcome, int>();
        for (var round = 0; round < 20_000; round++)
        {
            var tail = new byte[rng.Next(0, 120)];
            for (var i = 0; i < tail.Length; i++)
            {
                tail[i] = rng.Next(3) == 0 ? (byte)rng.Next(256) : alphabet[rng.Next(alphabet.Length)];
            }

            // Mostly our request line (else nearly everything is Kestrel's), sometimes cut short or altered.
            var line = rng.Next(4) == 0 ? RequestLine[..rng.Next(RequestLine.Length + 1)] : RequestLine;
            byte[] bytes = [.. line, .. tail, .. (rng.Next(2) == 0 ? "\r\n\r\n"u8.ToArray() : [])];
            var what = $"{Seed}, round {round}: {Encoding.Latin1.GetString(bytes).ReplaceLineEndings("⏎")}";
            var outcome = RequestHead.TryRead(Sequences.Split(bytes, rng.Next(bytes.Length + 1)), RequestLine, out var head, out _);
            Enum.IsDefined(outcome).ShouldBeTrue(what);
            (head is not null).ShouldBe(outcome == RequestHead.Outcome.Ours, what);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
    }

    [Fact]
    public void AValidHeadSplitAtEveryByteNeedsMoreUntilWholeThenReadsTheSame()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        var head = Encoding.ASCII.GetBytes(Valid);
        byte[] withFrame = [.. head, 0x81, 0x80, 1, 2, 3, 4];
        for (var cut = 0; cut < head.Length; cut++)
        {
            var outcome = RequestHead.TryRead(Sequences.Split(head[..cut], rng.Next(cut + 1)), RequestLine, out _, out _);
            outcome.ShouldBe(RequestHead.Outcome.NeedMore, $"{Seed}: the first {cut} bytes of a valid head");
        }

        for (var cut = 0; cut <= withFrame.Length; cut++)
        {
            var sequence = Sequences.Split(withFrame, cut, rng.Next(withFrame.Length + 1));
            RequestHead.TryRead(sequence, RequestLine, out var read, out var end).ShouldBe(RequestHead.Outcome.Ours, $"{Seed}, split at {cut}");
            read!.Path.ShouldBe("/socket/websocket");
            read.Query.ShouldBe("?vsn=2.0.0");
            read.Headers["Sec-WebSocket-Version"].ToString().ShouldBe("13");
            sequence.Slice(end).Length.ShouldBe(6, "the head ends where the first frame begins");
        }
    }

    [Fact]
    public void OtherRequestsAreLeftToKestrelWithNothingConsumed()
    {
        foreach (var other in new[] { "GET /socket/websocketx HTTP/1.1\r\n\r\n", "POST /socket/websocket HTTP/1.1\r\n\r\n", "GET /api/sessions HTTP/1.1\r\n\r\n", "G", "POST /api/se" })
        {
            var outcome = RequestHead.TryRead(new(Encoding.ASCII.GetBytes(other)), RequestLine, out _, out _);
            outcome.ShouldBe(other is "G" or "POST /api/se" ? RequestHead.Outcome.NeedMore : RequestHead.Outcome.NotOurs, other);
        }
    }

    [Fact]
    public void ANulInThePathOfAnyRequestIsFoundInAnySplitAndOneInTheQueryIsNot()
    {
        output.WriteLine(Seed);
        var rng = new Random(_seed);
        string[] methods = ["GET", "POST", "PATCH", "DELETE"];
        string[] paths = ["/socket/websocket", "/api/sessions", "/api/sessions/a", "/", "/socket/longpoll"];
        for (var round = 0; round < 2_000; round++)
        {
            var path = paths[rng.Next(paths.Length)];
            var at = rng.Next(1, path.Length + 1);
            var nul = new[] { "%00", "%000", "%00%00", "%%00" }[rng.Next(4)];
            var inPath = rng.Next(2) == 0;
            var target = inPath ? path[..at] + nul + path[at..] + "?vsn=2.0.0" : path + "?x=" + nul;
            var bytes = Encoding.ASCII.GetBytes($"{methods[rng.Next(methods.Length)]} {target} HTTP/1.1\r\nHost: h\r\n\r\n");
            var what = $"{Seed}, round {round}: {target}";
            var outcome = RequestHead.TryRead(Sequences.Split(bytes, rng.Next(bytes.Length + 1)), RequestLine, out _, out _);
            if (inPath)
            {
                outcome.ShouldBe(RequestHead.Outcome.NulInPath, what);
            }
            else
            {
                outcome.ShouldNotBe(RequestHead.Outcome.NulInPath, what);
            }
        }

        // Not there yet: read more, whatever the request is; "%2500" is a percent sign and two zeros, no NUL.
        RequestHead.TryRead(new(Encoding.ASCII.GetBytes("POST /api/sessions/a%0")), RequestLine, out _, out _).ShouldBe(RequestHead.Outcome.NeedMore);
        RequestHead.TryRead(new(Encoding.ASCII.GetBytes("GET /api/a%2500 HTTP/1.1\r\n\r\n")), RequestLine, out _, out _)
            .ShouldBe(RequestHead.Outcome.NotOurs);
        RequestHead.TryRead(new([0x16, 0x03, 0x01, 0x02, 0x00]), RequestLine, out _, out _)
            .ShouldBe(RequestHead.Outcome.NotOurs, "a TLS hello is Kestrel's to refuse at once");
    }

    [Fact]
    public void HeadsPastTheSizeLimitAre431AndBareLineFeedsAre400()
    {
        var padding = "X-Pad: " + new string('a', RequestHead.MaxBytes) + "\r\n";
        var unfinished = Encoding.ASCII.GetBytes("GET /socket/websocket HTTP/1.1\r\n" + padding);
        RequestHead.TryRead(new(unfinished), RequestLine, out _, out _).ShouldBe(RequestHead.Outcome.TooLarge);
        var finished = Encoding.ASCII.GetBytes("GET /socket/websocket HTTP/1.1\r\n" + padding + "\r\n");
        RequestHead.TryRead(new(finished), RequestLine, out _, out _).ShouldBe(RequestHead.Outcome.TooLarge);

        var justUnder = "GET /socket/websocket HTTP/1.1\r\nX-Pad: ";
        justUnder += new string('a', RequestHead.MaxBytes - justUnder.Length - 4) + "\r\n\r\n";
        RequestHead.TryRead(new(Encoding.ASCII.GetBytes(justUnder)), RequestLine, out _, out _).ShouldBe(RequestHead.Outcome.Ours);

        var rng = new Random(_seed);
        var valid = Encoding.ASCII.GetBytes(Valid);
        for (var round = 0; round < 200; round++)
        {
            var crlf = Enumerable.Range(RequestLine.Length, valid.Length - RequestLine.Length).Where(i => valid[i] == '\r').ToArray();
            var at = crlf[rng.Next(crlf.Length)];
            byte[] bare = [.. valid[..at], .. valid[(at + 1)..]];
            RequestHead.TryRead(Sequences.Split(bare, rng.Next(bare.Length + 1)), RequestLine, out _, out _)
                .ShouldBe(RequestHead.Outcome.Malformed, $"{Seed}, round {round}: a bare LF at {at}");
        }
    }
}
