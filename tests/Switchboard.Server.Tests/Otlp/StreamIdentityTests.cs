using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Switchboard.Core.Writes;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Metrics;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Server.Otlp.Mapping;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// A cumulative stream's identity is what it has been since issue 44 while its origin (resource and scope) is short, so
/// live streams keep their totals across the upgrade; past <see cref="StreamIdentity.MaxOriginLength"/> the origin
/// enters as digests, made once per resource and scope (issue 55), which still tell every resource apart.
/// </summary>
public sealed class StreamIdentityTests
{
    private const string Session = "otel:s:stream-test";

    private static KeyValue Attr(string key, AnyValue value) => new() { Key = key, Value = value };

    private static KeyValue Text(string key, string value) => Attr(key, new AnyValue { StringValue = value });

    /// <summary>Attributes of every kind a value can be, with two of one key and a key that sorts by its surrogates.</summary>
    private static KeyValue[] PointAttributes =>
    [
        Text("type", "input"), Text("model", "claude-sonnet-4-5 \"quoted\" <b>"), Attr("count", new AnyValue { IntValue = 7 }),
        Attr("ratio", new AnyValue { DoubleValue = 0.25 }), Attr("cached", new AnyValue { BoolValue = true }), Text("model", "second of the key"),
        Attr("bytes", new AnyValue { BytesValue = ByteString.CopyFromUtf8("raw") }), Text("emoji\ud83d\ude00", "\ud83d\ude00 \u00e9"),
        Attr("list", new AnyValue { KvlistValue = new KeyValueList { Values = { Text("inner", "x"), Attr("array", new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { IntValue = 1 } } } }) } } }),
        Attr("empty", new AnyValue()),
    ];

    [Fact]
    public void AShortOriginIsTakenWholeAsSinceIssue44AndALongOneAsTheDigestsOfItsResourceAndScope()
    {
        KeyValue[] resource = [Text("service.name", "claude-code"), Text("session.id", "stream-test"), Text("host.arch", "amd64"), Attr("process.pid", new AnyValue { IntValue = 42 })];
        KeyValue[] scope = [Text("scope.attr", "s")];
        var shortPoint = MapOne(resource, scope);
        var (shortResource, shortScope) = OriginParts(resource, scope);
        shortPoint.Stream.ShouldBe(Issue44Id(PointText() + "\n" + shortResource + shortScope), "the identity streams have had since issue 44");
        shortPoint.Previous.ShouldBe(Issue44Id(PointText()), "and the one before it");

        KeyValue[] large = [.. resource, Text("host.description", new string('d', StreamIdentity.MaxOriginLength))];
        var longPoint = MapOne(large, scope);
        var (longResource, longScope) = OriginParts(large, scope);
        longPoint.Stream.ShouldBe(Issue44Id($"{PointText()}\nresource\nh:{Issue44Id(longResource)}\nscope\nh:{Issue44Id(longScope)}"));
        longPoint.Previous.ShouldBe(shortPoint.Previous, "the identity without an origin does not depend on it");

        KeyValue[] other = [.. resource, Text("host.description", new string('d', StreamIdentity.MaxOriginLength) + "e")];
        MapOne(other, scope).Stream.ShouldNotBe(longPoint.Stream, "the digest takes the whole resource, past the value cap");
    }

    [Fact]
    public void AMetricNamePastTheApiLimitEntersItsStreamsIdentitiesAsItsDigest()
    {
        var name = "claude_code." + new string('n', StreamIdentity.MaxMetricNameLength);
        StreamIdentity.Metric(name).ShouldBe("h:" + Issue44Id(name));
        StreamIdentity.Metric("claude_code.token.usage").ShouldBe("claude_code.token.usage");
    }

    /// <summary>The text of a stream's identity without its origin, as issue 44 wrote it: session, metric, attributes in key order.</summary>
    private static string PointText() => $"{Session}\nclaude_code.token.usage{Lines(PointAttributes)}";

    private static (string Resource, string Scope) OriginParts(KeyValue[] resource, KeyValue[] scope) =>
        ("resource" + Lines(resource), "\nscope\ncom.anthropic.claude_code\n2.1.0" + Lines(scope));

    private static string Lines(KeyValue[] attributes) =>
        string.Concat(attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"\n{a.Key}={a.Value}"));

    private static string Issue44Id(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));

    private static CumulativePoint MapOne(KeyValue[] resource, KeyValue[] scope)
    {
        var point = new NumberDataPoint { StartTimeUnixNano = 1, TimeUnixNano = 2, AsDouble = 10, Attributes = { PointAttributes } };
        var request = new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = new Resource { Attributes = { resource } },
                    ScopeMetrics =
                    {
                        new ScopeMetrics
                        {
                            Scope = new InstrumentationScope { Name = "com.anthropic.claude_code", Version = "2.1.0", Attributes = { scope } },
                            Metrics =
                            {
                                new Metric
                                {
                                    Name = "claude_code.token.usage",
                                    Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { point } },
                                },
                            },
                        },
                    },
                },
            },
        };
        var batch = new TelemetryBatch(DateTimeOffset.UtcNow);
        MetricMapping.Map(new ProtoReader(request.ToByteArray()), batch);
        return batch.ToWrites(32).Cast<ApplyTelemetry>().Single().Observations.Single().Cumulative!;
    }
}
