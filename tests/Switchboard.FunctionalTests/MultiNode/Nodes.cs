using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.MultiNode;

/// <summary>Starting real <c>switchboard</c> processes on a shared PostgreSQL database, and reading what their clients got.</summary>
internal static class Nodes
{
    /// <summary>A node configured on the command line, or (<paramref name="viaEnvironment"/>) through SWITCHBOARD_* variables.</summary>
    public static Task<ServerProcess> StartAsync(TempDirectory data, string connectionString, bool viaEnvironment = false,
        IReadOnlyDictionary<string, string>? environment = null) =>
        viaEnvironment
            ? ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
            {
                ["SWITCHBOARD_STORE"] = "postgres",
                ["SWITCHBOARD_CONNECTION_STRING"] = connectionString,
            })
            : ServerProcess.StartAsync(data.Path, ["--store", "postgres", "--connection-string", connectionString],
                environment: environment is null ? null : new Dictionary<string, string>(environment));

    public static HttpClient Http(ServerProcess node) => new() { BaseAddress = node.BaseAddress, Timeout = TestTimeouts.Default };

    /// <summary>Joins <c>sessions</c> (optionally resuming) and returns the reply's response object.</summary>
    public static async Task<JsonElement> JoinSessionsAsync(PhoenixClient client, long? since = null, string? epoch = null)
    {
        var reply = await client.JoinAsync("sessions", since is null ? new { } : new { since, epoch });
        reply.Status.ShouldBe("ok", reply.Raw);
        return reply.Response;
    }

    /// <summary>Takes logged broadcasts on <c>sessions</c> until one with <paramref name="upTo"/> arrives; returns their seqs in arrival order.</summary>
    public static async Task<List<long>> SeqsUntilAsync(PhoenixClient client, long upTo, TimeSpan? timeout = null)
    {
        var seqs = new List<long>();
        while (seqs.Count == 0 || seqs[^1] < upTo)
        {
            var frame = await client.WaitForAsync(f => f.Topic == "sessions" && f.Seq is not null, timeout ?? TestTimeouts.Long);
            seqs.Add(frame.Seq!.Value);
        }

        return seqs;
    }

    /// <summary>Logged broadcasts that arrive within <paramref name="quiet"/> (there should be none after the expected ones).</summary>
    public static async Task<List<long>> StraySeqsAsync(PhoenixClient client, TimeSpan quiet) =>
        [.. (await client.DrainAsync(quiet)).Where(f => f.Topic == "sessions" && f.Seq is not null).Select(f => f.Seq!.Value)];

    public static IEnumerable<long> Range(long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            yield return s;
        }
    }
}
