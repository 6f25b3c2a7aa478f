using System.Text;
using Switchboard.Server.Otlp;

namespace Switchboard.Server.Tests.Otlp;

/// <summary>
/// OTLP JSON bodies written by hand: the ones the functional tests post, and hostile variations of a record the mapping
/// takes (wrong types, huge numbers, bad ids, duplicates, nulls, unknown fields, nesting, truncation), for each signal.
/// </summary>
internal static class JsonBodies
{
    private const string Resource = """{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}},{"key":"session.id","value":{"stringValue":"s-1"}}]}""";
    private const string Trace = "0102030405060708090a0b0c0d0e0f10";

    /// <summary>The bodies the functional tests post as OTLP JSON (OtlpHttpTests, OtlpTextTests, OtlpOtherAgentsTests), and the base record.</summary>
    public static IEnumerable<string> Literal(OtlpSignal signal)
    {
        yield return Wrap(signal, Record(signal, ""));
        if (signal == OtlpSignal.Traces)
        {
            yield return """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-agent"}}]},
                 "scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",
                   "parentSpanId":"","name":"chat","kind":3,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":1700000001000000000,
                   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
                     {"key":"gen_ai.conversation.id","value":{"stringValue":"c-1"}},
                     {"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},
                     {"key":"gen_ai.usage.output_tokens","value":{"intValue":5}}],"status":{"code":1}}]}]}]}
                """;
        }
        else if (signal == OtlpSignal.Logs)
        {
            yield return """
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent\ud83dx"}},
                  {"key":"session.id","value":{"stringValue":"s-2"}}]},
                  "scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","eventName":"claude_code.api_error",
                    "attributes":[{"key":"error","value":{"stringValue":"bad \udc00 gateway \\ud800 \ud83d\ude00"}},{"key":"event.sequence","value":{"intValue":"1"}}]}]}]}]}
                """;
            yield return """
                {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"codex"}}]},
                  "scopeLogs":[{"scope":{"name":"codex"},"logRecords":[{"timeUnixNano":"1700000000000000001","body":{"stringValue":"codex.api_request"},
                    "attributes":[{"key":"conversation.id","value":{"stringValue":"c-3"}},{"key":"input_token_count","value":{"intValue":"12"}}]}]}]}]}
                """;
        }
    }

    /// <summary>Hostile variations, each one body; both decoders must answer each alike.</summary>
    public static IEnumerable<string> Hostile(OtlpSignal signal)
    {
        var (records, scopes, resources) = Names(signal);
        foreach (var whole in (string[])["", "null", "5", "\"x\"", "[]", "{}", "{} {}", "{\"" + resources + "\":7}", "{\"" + resources + "\":[7]}",
            "{\"" + resources + "\":[null]}", "{\"" + resources + "\":null}", "{\"" + resources + "\":{}}", "\uFEFF{}", "/*c*/{}", "{\"a\":1,}", "{'a':1}"])
        {
            yield return whole;
        }

        var valid = Wrap(signal, Record(signal, ""));
        for (var cut = 1; cut < valid.Length; cut += Math.Max(1, valid.Length / 12))
        {
            yield return valid[..cut];
        }

        yield return valid + "x";
        yield return valid + " \n";
        yield return ("{\"" + (resources) + "\":[{\"resource\":\"x\",\"" + (scopes) + "\":[]}]}");
        yield return ("{\"" + (resources) + "\":[{\"resource\":[],\"" + (scopes) + "\":[]}]}");
        yield return ("{\"" + (resources) + "\":[{\"resource\":{\"attributes\":{}}}]}");
        yield return ("{\"" + (resources) + "\":[{\"resource\":{\"attributes\":\"x\"}}]}");
        yield return ("{\"" + (resources) + "\":[{\"" + (scopes) + "\":[{\"" + (records) + "\":[1]}]}]}");
        yield return ("{\"" + (resources) + "\":[{\"" + (scopes) + "\":[{\"" + (records) + "\":{}}]}]}");
        yield return ("{\"" + (resources) + "\":[{\"" + (scopes) + "\":[{\"scope\":{\"name\":5}}]}]}");
        yield return ("{\"" + (resources) + "\":[{\"" + (scopes) + "\":[{\"scope\":{\"name\":[\"a\"]}}]}]}");
        yield return ("{\"" + (resources) + "\":[{\"resource\":null,\"resource\":{\"attributes\":[{\"key\":\"a\"}]},\"resource\":{\"attributes\":[{\"key\":\"b\",\"value\":null}]}}]}");
        yield return ("{\"x\":1,\"y\":\"s\",\"z\":true,\"n\":null,\"o\":{\"a\":[1,{\"b\":null}]},\"arr\":[[],{}],\"" + (resources) + "\":[]}");

        foreach (var field in RecordVariations(signal))
        {
            yield return Wrap(signal, Record(signal, field));
        }

        foreach (var value in Values())
        {
            yield return Wrap(signal, Record(signal, (",\"attributes\":[{\"key\":\"a\",\"value\":" + (value) + "}]")));
        }

        foreach (var depth in (int[])[30, 45, 46, 47, 48, 49, 60])
        {
            yield return Wrap(signal, Record(signal, (",\"attributes\":[{\"key\":\"deep\",\"value\":" + (Nested(depth)) + "}]")));
        }

        foreach (var depth in (int[])[200, 5000])
        {
            yield return Wrap(signal, Record(signal, (",\"unknown\":" + (new string('[', depth)) + (new string(']', depth)))));
            yield return Wrap(signal, Record(signal, (",\"unknown\":{{string.Concat(Enumerable.Repeat(\"{\\\"a\\\":\", depth))}}1{{new string('}', depth)}}")));
        }
    }

    private static IEnumerable<string> RecordVariations(OtlpSignal signal)
    {
        string[] numbers = ["\"99999999999999999999\"", "1e30", "-1", "\"-1\"", "\"18446744073709551615\"", "18446744073709551615", "1.5", "\"1.5\"", "\"1e3\"", "1e3",
            "\"+1\"", "\"01\"", "\"-0\"", "\" 1\"", "\"\"", "\"NaN\"", "true", "[]", "{}", "null", "0", "\"0\"", "1700000000000000000", "\"0x10\""];
        string[] time = signal switch
        {
            OtlpSignal.Traces => ["startTimeUnixNano", "end_time_unix_nano"],
            OtlpSignal.Logs => ["timeUnixNano", "observed_time_unix_nano"],
            _ => ["name"],
        };
        foreach (var n in numbers)
        {
            foreach (var t in time)
            {
                yield return $",\"{t}\":{n}";
            }

            yield return signal switch
            {
                OtlpSignal.Traces => $",\"kind\":{n},\"droppedAttributesCount\":{n}",
                OtlpSignal.Logs => $",\"severityNumber\":{n}",
                _ => (",\"gauge\":{\"dataPoints\":[{\"timeUnixNano\":" + (n) + ",\"asInt\":" + (n) + "}]}"),
            };
            yield return signal == OtlpSignal.Metrics ? (",\"sum\":{\"aggregationTemporality\":" + (n) + ",\"isMonotonic\":true,\"dataPoints\":[{\"asDouble\":" + (n) + "}]}") : $",\"flags\":{n}";
        }

        string[] ids = ["\"zz\"", "\"0123\"", "\"xyz=\"", "\"abcdefgh\"", "\"ABCDEF0123456789ABCDEF0123456789\"", "\"0102030405060708090a0b0c0d0e0f\"",
            "\"0102030405060708090a0b0c0d0e0f101\"", "\"AQIDBAUGBwgJCgsMDQ4PEA==\"", "\"\\u0030102030405060708090a0b0c0d0e0f10\"", "\"\"", "5", "[]", "null", "\"!!!!\"", "\"-_8A\""];
        foreach (var id in ids)
        {
            yield return signal == OtlpSignal.Metrics ? (",\"sum\":{\"dataPoints\":[{\"asDouble\":1,\"attributes\":[{\"key\":\"k\",\"value\":{\"bytesValue\":" + (id) + "}}]}]}")
                : $",\"traceId\":{id},\"spanId\":{id}";
        }

        yield return signal switch
        {
            OtlpSignal.Traces => ""","status":{"code":"STATUS_CODE_ERROR"},"kind":"SPAN_KIND_CLIENT","name":"a","name":"b","traceId":null""",
            OtlpSignal.Logs => ""","eventName":"x","eventName":"claude_code.api_request","body":{"stringValue":"a"},"body":null""",
            _ => ""","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","dataPoints":[{"asInt":"3","startTimeUnixNano":"1"}]}""",
        };
        yield return signal switch
        {
            OtlpSignal.Traces => ""","status":{"code":"NOPE"}""",
            OtlpSignal.Logs => ""","body":{"stringValue":"a","intValue":"1"}""",
            _ => ""","gauge":{"dataPoints":[{"asInt":"3","asDouble":1}]}""",
        };
        yield return signal switch
        {
            OtlpSignal.Traces => ""","status":{"code":2},"status":{"message":"m"}""",
            OtlpSignal.Logs => ""","body":{"stringValue":null,"intValue":"1"}""",
            _ => ""","gauge":{"dataPoints":[]},"gauge":{"dataPoints":[{"asInt":"4"}]}""",
        };
        yield return ""","attributes":[{"key":"a","key":"b","value":{"stringValue":"x"},"value":{"intValue":"2"}}]""";
        yield return ""","attributes":null,"attributes":[{"key":"a"}],"attributes":[{"key":"b"}]""";
        yield return ""","attributes":[null]""";
    }

    private static IEnumerable<string> Values() =>
    [
        "\"x\"", "5", "[]", "{\"stringValue\":5}", "{\"stringValue\":[]}", "{\"boolValue\":\"true\"}", "{\"boolValue\":1}", "{\"boolValue\":true}",
        "{\"intValue\":\"9223372036854775807\"}", "{\"intValue\":9223372036854775807}", "{\"intValue\":\"-9223372036854775808\"}", "{\"intValue\":\"9223372036854775808\"}",
        "{\"doubleValue\":\"Infinity\"}", "{\"doubleValue\":\"-Infinity\"}", "{\"doubleValue\":\"NaN\"}", "{\"doubleValue\":\"inf\"}", "{\"doubleValue\":1e400}",
        "{\"doubleValue\":\"1e400\"}", "{\"doubleValue\":-0.0}", "{\"double_value\":2.5}", "{\"bytesValue\":\"AQID\"}", "{\"bytesValue\":\"AQ\"}", "{\"bytesValue\":\"!!\"}",
        "{\"bytesValue\":\"AQI=\"}", "{\"bytesValue\":\"-_8=\"}", "{\"arrayValue\":{\"values\":[{\"stringValue\":\"a\"},{}]}}", "{\"arrayValue\":{\"values\":[null]}}",
        "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":{\"intValue\":\"1\"}}]}}", "{\"kvlist_value\":{\"values\":{}}}", "{\"unknown\":1}", "{}",
        "{\"stringValue\":\"a\",\"stringValue\":\"b\"}", "{\"stringValue\":null,\"boolValue\":true}", "{\"string_value\":\"\\u0000\\ud800x\"}",
    ];

    public static string Nested(int depth) =>
        string.Concat(Enumerable.Repeat("{\"arrayValue\":{\"values\":[", depth)) + "{\"stringValue\":\"x\"}" + string.Concat(Enumerable.Repeat("]}}", depth));

    private static (string Records, string Scopes, string Resources) Names(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => ("spans", "scopeSpans", "resourceSpans"),
        OtlpSignal.Logs => ("logRecords", "scopeLogs", "resourceLogs"),
        _ => ("metrics", "scopeMetrics", "resourceMetrics"),
    };

    private static string Wrap(OtlpSignal signal, string record)
    {
        var (records, scopes, resources) = Names(signal);
        return ("{\"" + (resources) + "\":[{\"resource\":" + (Resource) + ",\"" + (scopes) + "\":[{\"scope\":{\"name\":\"s\"},\"" + (records) + "\":[" + (record) + "]}]}]}");
    }

    /// <summary>A record the mapping takes, with <paramref name="more"/> (which starts with a comma) after its fields.</summary>
    private static string Record(OtlpSignal signal, string more) => signal switch
    {
        OtlpSignal.Traces => ("{\"traceId\":\"" + (Trace) + "\",\"spanId\":\"0102030405060708\",\"name\":\"chat\",\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000001000000000\",\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"7\"}}]" + (more) + "}"),
        OtlpSignal.Logs => ("{\"timeUnixNano\":\"1700000000000000000\",\"eventName\":\"claude_code.api_request\",\"traceId\":\"" + (Trace) + "\",\"attributes\":[{\"key\":\"input_tokens\",\"value\":{\"intValue\":\"3\"}},{\"key\":\"event.sequence\",\"value\":{\"intValue\":\"1\"}}]" + (more) + "}"),
        _ => ("{\"name\":\"claude_code.token.usage\",\"sum\":{\"aggregationTemporality\":2,\"dataPoints\":[{\"startTimeUnixNano\":\"1\",\"timeUnixNano\":\"1700000000000000000\",\"asDouble\":5,\"attributes\":[{\"key\":\"type\",\"value\":{\"stringValue\":\"input\"}}]}]}" + (more) + "}"),
    };
}
