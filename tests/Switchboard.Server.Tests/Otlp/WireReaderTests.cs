using Google.Protobuf;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Otlp.Proto.Resource;
using Switchboard.Otlp.Proto.Trace;
using Switchboard.Server.Otlp;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// The protobuf reader on hostile bytes: every wire type is skipped when unknown, and every way a body can lie about
/// itself (a varint or a value cut short, a length past the end, a huge length over a tiny body, nesting past the limit,
/// a broken group, a string that is not UTF-8) is a <see cref="OtlpWireException"/> that says what was wrong, and
/// nothing is read past the bytes.
/// </summary>
public sealed class WireReaderTests
{
    /// <summary>A request whose one resource's records hold <paramref name="inner"/> as their resource's bytes.</summary>
    private static byte[] Request(params byte[] resource) => [0x0A, (byte)(resource.Length + 2), 0x0A, (byte)resource.Length, .. resource];

    private static string Refusal(byte[] body) => Should.Throw<OtlpWireException>(() => OtlpRequest.Read(OtlpSignal.Traces, body)).Message;

    [Fact]
    public void UnknownFieldsOfEveryWireTypeAreSkippedAndWhatFollowsIsRead()
    {
        byte[] unknown =
        [
            0xF8, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, // field 111, a ten-byte varint
            0xF1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, // field 110, fixed64
            0xEA, 0x06, 2, 0x0A, 0x00, // field 109, two bytes that look like a field
            0xE3, 0x06, 0x0B, 0x08, 0x01, 0x0C, 0xE4, 0x06, // field 108, a group holding a group holding a varint
            0xDD, 0x06, 9, 9, 9, 9, // field 107, fixed32
        ];
        var attribute = new KeyValue { Key = "session.id", Value = new AnyValue { StringValue = "s-1" } }.ToByteArray();
        var request = OtlpRequest.Read(OtlpSignal.Traces, Request([.. unknown, 0x0A, (byte)attribute.Length, .. attribute, .. unknown]));

        var index = new Switchboard.Server.Otlp.Mapping.AttributeIndex();
        foreach (var resourceSpans in request.Reader.Messages(1))
        {
            index.LoadParts(resourceSpans, 1, 1, 128).ShouldBe(0);
        }

        index.String("session.id").ShouldBe("s-1");
        index.Count.ShouldBe(1);
    }

    [Fact]
    public void AVarintCutShortOrLongerThanTenBytesIsRefused()
    {
        Refusal([0x08, 0x80]).ShouldContain("ends inside a varint at byte 2");
        Refusal([0x80]).ShouldContain("ends inside a varint");
        Refusal([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]).ShouldContain("past ten bytes");
    }

    [Fact]
    public void AFixedValueCutShortIsRefused()
    {
        Refusal([0x09, 1, 2, 3]).ShouldContain("inside a fixed64 value at byte 1");
        Refusal([0x0D, 1, 2, 3]).ShouldContain("inside a fixed32 value at byte 1");
    }

    [Fact]
    public void ALengthPastTheEndOfItsMessageIsRefusedHoweverLargeTheBodyAroundIt()
    {
        Refusal([0x12, 5, 1, 2]).ShouldContain("declares 5 bytes where its message has 2 left");
        Refusal([0x12, 0x80]).ShouldContain("ends inside a varint");

        // The resource says 3 bytes and holds an attribute that says 4: the bytes after the resource do not count.
        Refusal([0x0A, 9, 0x0A, 3, 0x0A, 4, 0x0A, 0x00, 0x00, 0x00, 0x00]).ShouldContain("declares 4 bytes where its message has 1 left");
    }

    [Fact]
    public void AHugeDeclaredLengthOverATinyBodyIsRefusedWithoutReadingOrAllocatingIt()
    {
        Refusal([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1]).ShouldContain("declares 4294967295 bytes where its message has 1 left");
        Refusal([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]).ShouldContain("declares 18446744073709551615 bytes");
    }

    [Fact]
    public void NestingPastTheLimitIsRefusedAndNestingWithinItIsRead()
    {
        AnyValue Nested(int levels)
        {
            var value = new AnyValue { StringValue = "leaf" };
            for (var i = 0; i < levels; i++)
            {
                value = new AnyValue { ArrayValue = new ArrayValue { Values = { value } } };
            }

            return value;
        }

        byte[] Body(int levels) => new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = new Resource { Attributes = { new KeyValue { Key = "deep", Value = Nested(levels) } } } } },
        }.ToByteArray();

        // Below the request: resource spans, resource, attribute, value, then two messages a level. 4 + 2 * 48 = 100
        // levels are read, as Google.Protobuf read them; 102 are not.
        OtlpRequest.Read(OtlpSignal.Traces, Body(48));
        Should.NotThrow(() => ExportTraceServiceRequest.Parser.ParseFrom(Body(48)));
        Refusal(Body(49)).ShouldContain("nested more than 100 levels deep");
        Should.Throw<InvalidProtocolBufferException>(() => ExportTraceServiceRequest.Parser.ParseFrom(Body(49)));
        Refusal(Body(2_000)).ShouldContain("nested more than 100 levels deep");

        // Groups in unknown fields count as levels too.
        byte[] groups = [.. Enumerable.Repeat((byte)0x0B, 120), .. Enumerable.Repeat((byte)0x0C, 120)];
        Refusal(groups).ShouldContain("nested more than 100 levels deep");
    }

    [Fact]
    public void ABrokenGroupOrTagIsRefused()
    {
        Refusal([0x0B, 0x08, 0x01]).ShouldContain("the group of field 1 is never closed");
        Refusal([0x0B, 0x14]).ShouldContain("closed by an end-group tag of field 2");
        Refusal([0x0C]).ShouldContain("closes no group");
        Refusal([0x0E]).ShouldContain("no valid field tag (field 1, wire type 6)");
        Refusal([0x07]).ShouldContain("no valid field tag (field 0, wire type 7)");
        Refusal([0x00]).ShouldContain("no valid field tag (field 0");
    }

    [Fact]
    public void AStringThatIsNotUtf8IsRefusedAsGoogleProtobufRefusedIt()
    {
        var attribute = new byte[] { 0x0A, 2, 0xFF, 0x41 }; // a key of two bytes, the first no UTF-8
        Refusal(Request([0x0A, (byte)attribute.Length, .. attribute])).ShouldContain("is not valid UTF-8");
        Should.Throw<InvalidProtocolBufferException>(() => KeyValue.Parser.ParseFrom(attribute));

        // The same bytes as an unknown field, or as bytes a field is meant to hold, are no string: read as they are.
        OtlpRequest.Read(OtlpSignal.Traces, Request([0xEA, 0x06, 2, 0xFF, 0x41]));
        var span = new byte[] { 0x0A, 2, 0xFF, 0x41 }; // a trace id
        OtlpRequest.Read(OtlpSignal.Traces, [0x0A, 8, 0x12, 6, 0x12, 4, .. span]);
    }
}
