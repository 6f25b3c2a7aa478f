using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>An acknowledged append survives <c>kill -9</c>, and so does the producer state that recognises its retry.</summary>
public sealed class StreamDurabilityTests
{
    [Fact]
    public async Task AcknowledgedAppendsAndTheirProducerStateSurviveKill9()
    {
        using var data = new TempDirectory();
        var expected = new System.Text.StringBuilder("start|");
        await using (var server = await ServerProcess.StartAsync(data.Path))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            (await http.PutAsync("runs/7/output", "start|")).Status.ShouldBe(201);
            // Two producers at once, so their appends share commits.
            await Task.WhenAll(Enumerable.Range(0, 2).Select(async p =>
            {
                for (var seq = 0; seq < 30; seq++)
                {
                    var reply = await http.AppendAsync("runs/7/output", $"p{p}:{seq}|", "text/plain",
                        ("Producer-Id", $"p{p}"), ("Producer-Epoch", "0"), ("Producer-Seq", $"{seq}"));
                    reply.Status.ShouldBe(200);
                }
            }));
            expected.Append((await http.ReadAsync("runs/7/output")).Body[expected.Length..]);
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        var read = await again.ReadAsync("runs/7/output");
        read.Body.ShouldBe(expected.ToString());
        Enumerable.Range(0, 2).SelectMany(p => Enumerable.Range(0, 30).Select(s => $"p{p}:{s}|")).ShouldAllBe(m => read.Body.Contains(m));
        var retry = await again.AppendAsync("runs/7/output", "p1:29|", "text/plain", ("Producer-Id", "p1"), ("Producer-Epoch", "0"), ("Producer-Seq", "29"));
        (retry.Status, retry.Header("Producer-Seq")).ShouldBe((204, "29"), "the retry of an acknowledged append is a duplicate");
        (await again.ReadAsync("runs/7/output")).Body.ShouldBe(expected.ToString());
    }
}
