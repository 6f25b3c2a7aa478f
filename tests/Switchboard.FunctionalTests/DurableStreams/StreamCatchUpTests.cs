using System.Net.Http.Headers;
using System.Text;
using Switchboard.Core.Streams;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// Catch-up reads of byte streams longer than one slice of the store: one response carries up to
/// <see cref="StreamReads.MaxResponseBytes"/>, cut at any byte, written as it is read; the next read goes on exactly there.
/// </summary>
public sealed class StreamCatchUpTests
{
    [Fact]
    public async Task AByteStreamIsReadInResponsesOfUpToTheLimitCutAtAnyByte()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PutAsync("big")).Status.ShouldBe(201);
        var expected = new StringBuilder();
        for (var i = 0; expected.Length <= StreamReads.MaxResponseBytes + 1_000_000; i++)
        {
            var append = Pattern(i, 1_000_003);
            (await server.Http.AppendAsync("big", append)).Status.ShouldBe(204);
            expected.Append(append);
        }

        var first = await server.Http.ReadAsync("big", "?offset=-1");
        first.Status.ShouldBe(200);
        first.Body.Length.ShouldBe((int)StreamReads.MaxResponseBytes, "a full response, cut inside an append");
        first.Body.ShouldBe(expected.ToString(0, first.Body.Length));
        first.Header("Stream-Up-To-Date").ShouldBeNull();
        var next = first.Header("Stream-Next-Offset").ShouldNotBeNull();

        var rest = await server.Http.ReadAsync("big", "?offset=" + next);
        rest.Status.ShouldBe(200);
        rest.Header("Stream-Up-To-Date").ShouldBe("true");
        (first.Body + rest.Body).ShouldBe(expected.ToString(), "every byte once, in order");

        var again = await server.Http.ReadAsync("big", "?offset=-1", ("If-None-Match", first.Header("ETag")!));
        again.Status.ShouldBe(304, "the same range of an immutable prefix");
    }

    [Fact]
    public async Task AForkLongerThanASliceReadsItsSourceThenItsOwnAppendsInOneResponse()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PutAsync("src")).Status.ShouldBe(201);
        var before = Pattern(1, 700_001);
        var forkAt = (await server.Http.AppendAsync("src", before)).Header("Stream-Next-Offset").ShouldNotBeNull();
        (await server.Http.AppendAsync("src", Pattern(2, 700_002))).Status.ShouldBe(204);
        (await server.Http.PutAsync("fork", null, "text/plain", ("Stream-Forked-From", "/v1/stream/src"), ("Stream-Fork-Offset", forkAt)))
            .Status.ShouldBe(201);
        var own = Pattern(3, 900_003);
        (await server.Http.AppendAsync("fork", own)).Status.ShouldBe(204);

        var read = await server.Http.ReadAsync("fork", "?offset=-1");
        read.Status.ShouldBe(200);
        read.Header("Stream-Up-To-Date").ShouldBe("true");
        read.Body.ShouldBe(before + own, "the source up to the fork point, then the fork's own appends; not the source's later append");
    }

    /// <summary>Text that differs at every position of every append, so a byte out of place shows.</summary>
    private static string Pattern(int seed, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + ((i * 7) + (seed * 13) + (i / 26)) % 26);
        }

        return new string(chars);
    }
}
