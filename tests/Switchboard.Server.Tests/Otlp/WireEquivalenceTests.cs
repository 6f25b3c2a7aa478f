using System.Globalization;
using System.Text;
using Google.Protobuf;
using Switchboard.Core.Writes;
using Switchboard.Otlp.Shapes;
using Switchboard.Server.Otlp;
using Switchboard.Server.Otlp.Mapping;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// Reading OTLP from the wire changes nothing the mapping makes of it: the requests of <see cref="WireRequests"/>, as
/// protobuf and as OTLP JSON, map to exactly what the decoder through Google.Protobuf's object tree made of them
/// (recorded in <c>WireEquivalence.expected.txt</c> by that decoder, at 6c8c6e9): every write, observation, label,
/// link and count.
/// </summary>
public sealed class WireEquivalenceTests
{
    public static TheoryData<string, bool> Requests => new()
    {
        { "traces", false }, { "traces", true }, { "logs", false }, { "logs", true }, { "metrics", false }, { "metrics", true },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void EveryRequestMapsAsItDidThroughTheObjectTree(string signalName, bool json)
    {
        var signal = Enum.Parse<OtlpSignal>(signalName, ignoreCase: true);
        var expected = Expected()[$"{signalName} {(json ? "json" : "protobuf")}"];
        Describe(signal, json).ShouldBe(expected);
    }

    internal static string Describe(OtlpSignal signal, bool json)
    {
        IMessage request = signal switch
        {
            OtlpSignal.Traces => WireRequests.Traces(),
            OtlpSignal.Logs => WireRequests.Logs(),
            _ => WireRequests.Metrics(),
        };
        var body = json ? OtlpShapes.Json(request) : request.ToByteArray();
        return Describe(OtlpCodec.Decode(signal, body, json));
    }

    /// <summary>Everything the mapping makes of a request, as text.</summary>
    internal static string Describe(OtlpRequest request)
    {
        var batch = new TelemetryBatch(DateTimeOffset.UnixEpoch.AddTicks((long)(WireRequests.Now / 100)), 1000, 3);
        OtlpReceiver.Map(request, batch);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"accepted {batch.Accepted} ignored {batch.Ignored} rejected {batch.Rejected} attributes ignored {batch.AttributesIgnored} message {batch.Message}\n");
        foreach (var write in batch.ToWrites(32).Cast<ApplyTelemetry>())
        {
            text.Append(CultureInfo.InvariantCulture, $"session {write.SessionId} name {write.Name} continues {write.Continues} usage from {write.UsageFrom}\n");
            text.Append("  labels ").AppendJoin(", ", write.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")).Append('\n');
            text.Append("  links spans ").AppendJoin(" ", write.Links.Spans).Append(" parents ").AppendJoin(" ", write.Links.Parents)
                .Append(" parent sessions ").AppendJoin(" ", write.Links.ParentSessions).Append('\n');
            foreach (var o in write.Observations)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {o.Key} {o.At.UtcTicks} {o.Signal} in {o.InputTokens} out {o.OutputTokens} cost {o.CostUsd} error {o.ErrorMessage} usage {o.Usage}");
                if (o.Cumulative is { } c)
                {
                    text.Append(CultureInfo.InvariantCulture, $" cumulative {c.Stream} {c.Start} {c.End} {c.Total} {c.Slot} previous {c.Previous}");
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The recorded descriptions, by signal and encoding: blocks headed <c>== traces protobuf</c> and so on.</summary>
    private static Dictionary<string, string> Expected()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Otlp", "WireEquivalence.expected.txt");
        var blocks = File.ReadAllText(path).Split("== ", StringSplitOptions.RemoveEmptyEntries);
        return blocks.ToDictionary(b => b[..b.IndexOf('\n', StringComparison.Ordinal)], b => b[(b.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
    }
}
