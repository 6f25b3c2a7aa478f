using System.Text;

namespace Switchboard.Server.Otlp.Json;

/// <summary>How a field's JSON value is read and which protobuf encoding it is written in.</summary>
internal enum JsonKind : byte
{
    Message,
    String,
    Bytes,
    Id,
    Bool,
    Int32,
    UInt32,
    Int64,
    Enum,
    Fixed32,
    Fixed64,
    SFixed64,
    Double,
}

/// <summary>
/// A field of an OTLP message as proto3 JSON names it: its lowerCamelCase name and its .proto name (parsers accept
/// both), its number, kind and, for a field in a <c>oneof</c>, which one (1 up; 0 for none: one value per oneof).
/// </summary>
internal sealed record JsonField(byte[] JsonName, byte[] ProtoName, int Number, JsonKind Kind, bool Repeated, int Oneof,
    JsonMessage? Message, string[]? EnumNames);

/// <summary>
/// The fields of one OTLP message, as the .proto files in <c>Otlp/Protos</c> declare them (the same files the generated
/// classes come from, so the same fields are known and the rest ignored). A message has a dozen fields at most, so a
/// name is found by comparing bytes, without a string.
/// </summary>
internal sealed class JsonMessage(string name)
{
    private readonly List<JsonField> _fields = [];

    /// <summary>The bound on a message-valued field's number (the OTLP messages' largest is 15, Span.status).</summary>
    public const int MaxMessageFieldNumber = 16;

    public string Name => name;

    public static readonly JsonMessage Traces, Logs, Metrics;

    static JsonMessage()
    {
        var anyValue = new JsonMessage("AnyValue");
        var keyValue = new JsonMessage("KeyValue").Add("key", 1, JsonKind.String).Add("value", 2, anyValue);
        anyValue.Add("string_value", 1, JsonKind.String, oneof: 1).Add("bool_value", 2, JsonKind.Bool, oneof: 1)
            .Add("int_value", 3, JsonKind.Int64, oneof: 1).Add("double_value", 4, JsonKind.Double, oneof: 1)
            .Add("array_value", 5, new JsonMessage("ArrayValue").Add("values", 1, anyValue, repeated: true), oneof: 1)
            .Add("kvlist_value", 6, new JsonMessage("KeyValueList").Add("values", 1, keyValue, repeated: true), oneof: 1)
            .Add("bytes_value", 7, JsonKind.Bytes, oneof: 1);
        var resource = new JsonMessage("Resource").Add("attributes", 1, keyValue, repeated: true).Add("dropped_attributes_count", 2, JsonKind.UInt32);
        var scope = new JsonMessage("InstrumentationScope").Add("name", 1, JsonKind.String).Add("version", 2, JsonKind.String)
            .Add("attributes", 3, keyValue, repeated: true).Add("dropped_attributes_count", 4, JsonKind.UInt32);

        var span = new JsonMessage("Span").Add("trace_id", 1, JsonKind.Id).Add("span_id", 2, JsonKind.Id).Add("trace_state", 3, JsonKind.String)
            .Add("parent_span_id", 4, JsonKind.Id).Add("flags", 16, JsonKind.Fixed32).Add("name", 5, JsonKind.String)
            .Add("kind", 6, JsonKind.Enum, names: ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"])
            .Add("start_time_unix_nano", 7, JsonKind.Fixed64).Add("end_time_unix_nano", 8, JsonKind.Fixed64)
            .Add("attributes", 9, keyValue, repeated: true).Add("dropped_attributes_count", 10, JsonKind.UInt32)
            .Add("events", 11, new JsonMessage("Event").Add("time_unix_nano", 1, JsonKind.Fixed64).Add("name", 2, JsonKind.String)
                .Add("attributes", 3, keyValue, repeated: true).Add("dropped_attributes_count", 4, JsonKind.UInt32), repeated: true)
            .Add("dropped_events_count", 12, JsonKind.UInt32)
            .Add("links", 13, new JsonMessage("Link").Add("trace_id", 1, JsonKind.Id).Add("span_id", 2, JsonKind.Id).Add("trace_state", 3, JsonKind.String)
                .Add("attributes", 4, keyValue, repeated: true).Add("dropped_attributes_count", 5, JsonKind.UInt32).Add("flags", 6, JsonKind.Fixed32), repeated: true)
            .Add("dropped_links_count", 14, JsonKind.UInt32)
            .Add("status", 15, new JsonMessage("Status").Add("message", 2, JsonKind.String)
                .Add("code", 3, JsonKind.Enum, names: ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]));
        Traces = Export("Span", resource, scope, span);

        var log = new JsonMessage("LogRecord").Add("time_unix_nano", 1, JsonKind.Fixed64).Add("observed_time_unix_nano", 11, JsonKind.Fixed64)
            .Add("severity_number", 2, JsonKind.Int32).Add("severity_text", 3, JsonKind.String).Add("body", 5, anyValue)
            .Add("attributes", 6, keyValue, repeated: true).Add("dropped_attributes_count", 7, JsonKind.UInt32).Add("flags", 8, JsonKind.Fixed32)
            .Add("trace_id", 9, JsonKind.Id).Add("span_id", 10, JsonKind.Id).Add("event_name", 12, JsonKind.String);
        Logs = Export("LogRecord", resource, scope, log);

        var point = new JsonMessage("NumberDataPoint").Add("attributes", 7, keyValue, repeated: true)
            .Add("start_time_unix_nano", 2, JsonKind.Fixed64).Add("time_unix_nano", 3, JsonKind.Fixed64)
            .Add("as_double", 4, JsonKind.Double, oneof: 1).Add("as_int", 6, JsonKind.SFixed64, oneof: 1).Add("flags", 8, JsonKind.UInt32);
        var metric = new JsonMessage("Metric").Add("name", 1, JsonKind.String).Add("description", 2, JsonKind.String).Add("unit", 3, JsonKind.String)
            .Add("gauge", 5, new JsonMessage("Gauge").Add("data_points", 1, point, repeated: true), oneof: 1)
            .Add("sum", 7, new JsonMessage("Sum").Add("data_points", 1, point, repeated: true)
                .Add("aggregation_temporality", 2, JsonKind.Enum, names: ["AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA", "AGGREGATION_TEMPORALITY_CUMULATIVE"])
                .Add("is_monotonic", 3, JsonKind.Bool), oneof: 1);
        Metrics = Export("Metric", resource, scope, metric);
    }

    /// <summary>The field named <paramref name="name"/> (UTF-8, unescaped), or null for a field the .proto does not define.</summary>
    public JsonField? Find(ReadOnlySpan<byte> name)
    {
        foreach (var field in _fields)
        {
            if (name.SequenceEqual(field.JsonName) || name.SequenceEqual(field.ProtoName))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>An export request: resources (field 1) with a resource (1), scopes (2) and a schema URL (3); each scope with its scope (1), records (2) and schema URL (3).</summary>
    private static JsonMessage Export(string record, JsonMessage resource, JsonMessage scope, JsonMessage records)
    {
        var (plural, scopes) = record switch
        {
            "Span" => ("spans", "scope_spans"),
            "LogRecord" => ("log_records", "scope_logs"),
            _ => ("metrics", "scope_metrics"),
        };
        var scoped = new JsonMessage("Scope" + record).Add("scope", 1, scope).Add(plural, 2, records, repeated: true).Add("schema_url", 3, JsonKind.String);
        var resourced = new JsonMessage("Resource" + record).Add("resource", 1, resource).Add(scopes, 2, scoped, repeated: true).Add("schema_url", 3, JsonKind.String);
        return new JsonMessage("Export" + record).Add("resource" + scopes[5..], 1, resourced, repeated: true);
    }

    private JsonMessage Add(string protoName, int number, JsonKind kind, int oneof = 0, string[]? names = null) =>
        Add(new JsonField(Encoding.UTF8.GetBytes(CamelCase(protoName)), Encoding.UTF8.GetBytes(protoName), number, kind, false, oneof, null, names));

    private JsonMessage Add(string protoName, int number, JsonMessage message, bool repeated = false, int oneof = 0) =>
        Add(new JsonField(Encoding.UTF8.GetBytes(CamelCase(protoName)), Encoding.UTF8.GetBytes(protoName), number, JsonKind.Message, repeated, oneof, message, null));

    private JsonMessage Add(JsonField field)
    {
        // The transcoder keeps where each message field's last value starts in a span of this many, by number.
        if (field.Kind == JsonKind.Message && field.Number >= MaxMessageFieldNumber)
        {
            throw new InvalidOperationException($"{name}.{field.Number}: message fields are numbered below {MaxMessageFieldNumber}.");
        }

        _fields.Add(field);
        return this;
    }

    /// <summary>The proto3 JSON name of a field: each underscore dropped and the letter after it made upper case.</summary>
    private static string CamelCase(string protoName)
    {
        var text = new StringBuilder(protoName.Length);
        for (var i = 0; i < protoName.Length; i++)
        {
            text.Append(protoName[i] == '_' && i + 1 < protoName.Length ? char.ToUpperInvariant(protoName[++i]) : protoName[i]);
        }

        return text.ToString();
    }
}
