using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Usage;

/// <summary>
/// A chart's copy of usage series, kept as a client does: the join reply (or GET /api/usage) sets the rows, and each
/// <c>usage</c> update adds its increments (counters add, the peak takes the larger). It checks that updates continue
/// one another (<c>from_seq</c> is the last <c>seq</c> it had).
/// </summary>
internal sealed class UsageSeries
{
    private static readonly string[] Fields =
        ["input_tokens", "output_tokens", "total_tokens", "cost_usd", "sessions_created", "sessions_terminated", "sessions_errored", "busy_seconds"];

    private readonly SortedDictionary<string, decimal> _values = new(StringComparer.Ordinal);

    /// <summary>The log position the rows count up to.</summary>
    public long Seq { get; private set; }

    public int Updates { get; private set; }

    /// <summary>From a join reply's response or a GET /api/usage body.</summary>
    public static UsageSeries From(JsonElement answer)
    {
        var series = new UsageSeries { Seq = answer.GetProperty("as_of_seq").GetInt64() };
        series.Add(answer, replace: true);
        return series;
    }

    /// <summary>Applies a <c>usage</c> update.</summary>
    public void Apply(JsonElement update)
    {
        update.GetProperty("from_seq").GetInt64().ShouldBe(Seq, "an update continues from the last seq the client has");
        Seq = update.GetProperty("seq").GetInt64();
        Updates++;
        Add(update, replace: false);
    }

    /// <summary>Every (group, bucket, field) with its value, for comparing two copies.</summary>
    public IReadOnlyDictionary<string, decimal> Values => _values;

    /// <summary>The sum of one field over every group and bucket.</summary>
    public decimal Sum(string field) => _values.Where(kv => kv.Key.EndsWith("|" + field, StringComparison.Ordinal)).Sum(kv => kv.Value);

    private void Add(JsonElement answer, bool replace)
    {
        foreach (var s in answer.GetProperty("series").EnumerateArray())
        {
            var group = s.GetProperty("group").GetRawText();
            foreach (var p in s.GetProperty("points").EnumerateArray())
            {
                var prefix = $"{group}|{p.GetProperty("start").GetString()}|";
                foreach (var field in Fields)
                {
                    var v = p.GetProperty(field).GetDecimal();
                    _values[prefix + field] = replace ? v : _values.GetValueOrDefault(prefix + field) + v;
                }

                var peak = p.GetProperty("peak_active_sessions").GetDecimal();
                _values[prefix + "peak_active_sessions"] = Math.Max(peak, _values.GetValueOrDefault(prefix + "peak_active_sessions"));
            }
        }
    }

    /// <summary>Takes <c>usage</c> updates from <paramref name="client"/> until the copy counts the events up to <paramref name="seq"/>.</summary>
    public async Task FollowUntilAsync(PhoenixClient client, long seq, TimeSpan? timeout = null)
    {
        while (Seq < seq)
        {
            var update = await client.WaitForAsync(f => f.Topic == "usage" && f.Event == "usage", timeout ?? TestTimeouts.Long);
            Apply(update.Payload);
        }
    }
}
