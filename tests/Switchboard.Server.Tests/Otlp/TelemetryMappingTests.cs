using Google.Protobuf;
using Switchboard.Core.Writes;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Server.Otlp.Mapping;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>What the mapping takes from a record, whatever the record says: its times within a window, its attributes up to a cap, its text mended.</summary>
public sealed class TelemetryMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static Span Chat(string conversation, ulong start, ulong end, byte id) => new()
    {
        TraceId = ByteString.CopyFrom(new byte[16] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, id }),
        SpanId = ByteString.CopyFrom(new byte[8] { 1, 2, 3, 4, 5, 6, 7, id }),
        StartTimeUnixNano = start,
        EndTimeUnixNano = end,
        Attributes = { Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.conversation.id", conversation) },
    };

    private static ulong Nanos(DateTimeOffset at) => (ulong)(at - DateTimeOffset.UnixEpoch).Ticks * 100;

    [Fact]
    public void ATimeTheServerTakesFromARecordStaysWithinTheDedupeWindowBeforeNowAndFiveMinutesAfter()
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans
        {
            ScopeSpans =
            {
                new ScopeSpans
                {
                    Spans =
                    {
                        Chat("in-1970", 1, 1, 1),
                        Chat("in-2500", Nanos(new DateTimeOffset(2500, 1, 1, 0, 0, 0, TimeSpan.Zero)), ulong.MaxValue - 1, 2),
                        Chat("an-hour-ago", Nanos(Now.AddHours(-1)), Nanos(Now.AddHours(-1)), 3),
                    },
                },
            },
        });
        var batch = new TelemetryBatch(Now);
        SpanMapping.Map(new ProtoReader(request.ToByteArray()), batch);
        var at = batch.ToWrites(32).Cast<ApplyTelemetry>().ToDictionary(w => w.SessionId, w => w.Observations.Single().At);

        at["otel:c:in-1970"].ShouldBe(Now - Switchboard.Core.Storage.TelemetryDedupe.Window);
        at["otel:c:in-2500"].ShouldBe(Now + TelemetryBatch.MaxAhead);
        at["otel:c:an-hour-ago"].ShouldBe(Now.AddHours(-1), "a time inside the window is the record's own");
        batch.Time(0).ShouldBe(Now, "unset is now");
    }

    [Fact]
    public void TheIndexReadsOnlyTheFirstAttributesUpToTheCapAndTheFirstOfTwoWithOneKeyWins()
    {
        var attributes = new Google.Protobuf.Collections.RepeatedField<KeyValue>
        {
            Attr("service.name", "first"), Attr("service.name", "second"), Attr("unrelated", "x"), Attr("gen_ai.conversation.id", "late"),
        };
        var resource = new ProtoReader(new Switchboard.Otlp.Proto.Resource.Resource { Attributes = { attributes } }.ToByteArray());
        var index = new AttributeIndex();
        index.Load(resource, 1, 3).ShouldBe(1, "one attribute past the cap");
        index.String("service.name").ShouldBe("first");
        index.String("gen_ai.conversation.id").ShouldBeNull("past the cap: ignored");
        index.Count.ShouldBe(3);

        index.Load(resource, 1, 128).ShouldBe(0);
        index.String("gen_ai.conversation.id").ShouldBe("late");
        index.Load(new ProtoReader([]), 1, 128).ShouldBe(0);
        index.String("service.name").ShouldBeNull("loading forgets the record before");
        Should.Throw<ArgumentException>(() => AttributeIndex.Key("not.read.by.the.mapping"));
    }

    [Fact]
    public void TextFromARecordLosesItsNulsAndLoneSurrogatesAndIsClippedWithoutSplittingAPair()
    {
        (string Value, int Max, string Expected)[] cases =
        [
            ("clean", 10, "clean"),
            ("a\0b\0", 10, "ab"),
            ("\0", 10, ""),
            ("x\ud800y", 10, "x\ufffdy"),
            ("x\udc00", 10, "x\ufffd"),
            ("\ud83d\ude00\ud83d\ude00", 3, "\ud83d\ude00"),
            ("abcdef", 3, "abc"),
            ("ab\0cdef", 3, "abc"),
        ];
        foreach (var (value, max, expected) in cases)
        {
            TelemetryText.Clean(value, max).ShouldBe(expected, $"{value.Length} characters, at most {max}");
        }
    }

    [Fact]
    public void AnEscapedLoneSurrogateInOtlpJsonBecomesAnEscapedReplacementCharacterBeforeParsing()
    {
        (string Json, string Expected)[] cases =
        [
            (@"""a\ud800b""", @"""a\ufffdb"""),
            (@"""\udc00\ud800""", @"""\ufffd\ufffd"""),
            (@"""\ud83d\u0041""", @"""\ufffd\u0041"""),
            (@"""\ud83d\ude00""", @"""\ud83d\ude00"""),
            (@"""\\ud800""", @"""\\ud800"""),
            (@"""\\\ud800""", @"""\\\ufffd"""),
            (@"""\ud8""", @"""\ud8"""),
            (@"""\n\t\""\u00e9""", @"""\n\t\""\u00e9"""),
            (@"""x\""", @"""x\"""),
        ];
        foreach (var (json, expected) in cases)
        {
            ObjectTreeJson.MendSurrogateEscapes(json).ShouldBe(expected, json);
        }

        const string clean = """{"a":"b"}""";
        ObjectTreeJson.MendSurrogateEscapes(clean).ShouldBeSameAs(clean, "a body without escapes is not copied");
    }
}
