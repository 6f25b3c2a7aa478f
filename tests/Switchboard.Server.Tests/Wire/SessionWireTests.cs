using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Core.Events;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Testing;
using CoreSession = Switchboard.Core.Sessions.Session;
using CoreState = Switchboard.Core.Sessions.SessionState;

namespace Switchboard.Server.Tests.Wire;

/// <summary>
/// Walks the session's one declaration (<see cref="SessionWire"/>) against what is produced from it: the JSON written
/// for a session with every field set, the reader, the <c>changes</c> of <c>session_updated</c>, the store row, a real
/// server's responses, and the real <c>/openapi/v1.json</c>. Every declared field must appear with its name and kind,
/// and nothing else may.
/// </summary>
public sealed partial class SessionWireTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 15, 0, 123, TimeSpan.Zero);

    /// <summary>Every field set, none to its default (checked below, so a new field must be set here too).</summary>
    private static readonly CoreSession Full = new()
    {
        Id = "wire-1", CreatedSeq = 5, Name = "agent", State = CoreState.Working,
        Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "core", ["env"] = "prod" },
        Metadata = """{"model":"m1","steps":[1,2]}""", ErrorMessage = "almost", Activity = "Bash", InputTokens = 10, OutputTokens = 20,
        CostUsd = 1.25m, TasksRunning = 3, LeaseSeconds = 30, LeaseExpiresAt = T0.AddSeconds(30), CreatedAt = T0,
        UpdatedAt = T0.AddSeconds(1), TerminatedAt = T0.AddSeconds(2), Version = 7, AcceptsCommands = false,
        ParentId = "wire-0", RootId = "wire-0", Depth = 1, Subtree = new SubtreeTotals(3, 2, 110, 220, 4.75m), TreePath = "wire-0 wire-1",
        Continues = "wire-0b", UsageFrom = "events",
        Streams = [new SessionStream("events", "application/json", false), new SessionStream("output", "text/plain", true)],
    };

    /// <summary>Every field different from <see cref="Full"/>.</summary>
    private static readonly CoreSession Other = new()
    {
        Id = "wire-2", CreatedSeq = 6, Name = null, State = CoreState.Error,
        Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "edge" },
        Metadata = """{"x":true}""", ErrorMessage = null, Activity = null, InputTokens = 11, OutputTokens = 21, CostUsd = 2.5m,
        TasksRunning = 0, LeaseSeconds = null, LeaseExpiresAt = null, CreatedAt = T0.AddSeconds(3),
        UpdatedAt = T0.AddSeconds(4), TerminatedAt = null, Version = 8, AcceptsCommands = true,
        ParentId = null, RootId = "wire-2", Depth = 0, Subtree = new SubtreeTotals(1, 1, 11, 21, 2.5m), TreePath = "wire-2",
        Continues = null, UsageFrom = "metrics",
        Streams = [new SessionStream("output", "text/plain", false)],
    };

    [Fact]
    public void TheTestSessionsSetEveryDeclaredFieldAndEveryFieldIsBoundOnce()
    {
        var empty = new CoreSession { Id = "" };
        SessionFields.Table.All.Select(b => b.Field).ShouldBe(SessionWire.All, "Core binds every declared field, in order");
        foreach (var b in SessionFields.Table.All)
        {
            b.Differs(empty, Full).ShouldBeTrue($"'{b.Field}' of the full session is set");
            b.Differs(Full, Other).ShouldBeTrue($"'{b.Field}' differs between the two test sessions");
        }
    }

    [Fact]
    public void ASessionWithEveryFieldSetIsWrittenWithEachDeclaredNameAndKindAndNothingElse()
    {
        var json = Write(w => SessionJson.Write(w, Full));
        var expected = SessionWire.All.Where(f => f.Has(WireFieldUse.Response)).Select(f => f.Name!).ToList();
        json.EnumerateObject().Select(p => p.Name).ShouldBe(expected, "the response fields of the descriptor, in its order");
        foreach (var field in SessionWire.All.Where(f => f.Has(WireFieldUse.Response)))
        {
            AssertKind(field, json.GetProperty(field.Name!));
        }

        json.GetProperty(SessionWire.TotalTokens.Name!).GetInt64().ShouldBe(30, "derived from input and output");
        foreach (var field in SessionWire.All.Where(f => f.Name is null))
        {
            json.TryGetProperty(field.Column!, out _).ShouldBeFalse($"store-only '{field.Column}' is not on the wire");
        }

        // The nulls of the other session are written as JSON null, with the declared nullability.
        var nulls = Write(w => SessionJson.Write(w, Other));
        foreach (var field in SessionWire.All.Where(f => f.Has(WireFieldUse.Response)))
        {
            AssertKind(field, nulls.GetProperty(field.Name!));
        }
    }

    [Fact]
    public void TheReaderRoundTripsEveryWireField()
    {
        foreach (var original in new[] { Full, Other })
        {
            var json = Write(w => SessionJson.Write(w, original));
            var read = SessionJson.Read(json);
            foreach (var b in SessionFields.Table.Response)
            {
                b.Differs(original, read).ShouldBeFalse($"'{b.Field}' reads back as written");
            }

            Text(w => SessionJson.Write(w, read)).ShouldBe(json.GetRawText());
        }
    }

    [Fact]
    public void ChangesCarryExactlyTheChangedFieldsThenTheStampAndApplyBack()
    {
        var changes = Write(w => SessionChanges.Write(w, Full, Other));
        var expected = SessionWire.All.Where(f => f.Has(WireFieldUse.Changes))
            .Concat(SessionWire.All.Where(f => f.Has(WireFieldUse.Stamp))).Select(f => f.Name!).ToList();
        changes.EnumerateObject().Select(p => p.Name).ShouldBe(expected);
        foreach (var p in changes.EnumerateObject())
        {
            AssertKind(SessionWire.All.Single(f => f.Name == p.Name), p.Value);
        }

        var applied = SessionChanges.Apply(Full, changes, Other.Version);
        foreach (var b in SessionFields.Table.All.Where(b => b.Field.Has(WireFieldUse.Changes) || b.Field.Has(WireFieldUse.Stamp)))
        {
            b.Differs(applied, Other).ShouldBeFalse($"'{b.Field}' applies back");
        }

        applied.Version.ShouldBe(Other.Version);
        applied.Id.ShouldBe(Full.Id, "the id is not a change");
        SessionChanges.Differ(Full, Full with { Version = 9, UpdatedAt = T0.AddHours(1) }).ShouldBeFalse("version and stamp are not visible changes");
    }

    [Fact]
    public void EachChangeableFieldAloneIsAChangeAndUsageOnlyExactlyWhenDeclaredAUsageCounter()
    {
        var other = Write(w => SessionJson.Write(w, Other));
        var masks = new HashSet<int>();
        foreach (var b in SessionFields.Table.Changes.Where(b => !b.Field.Has(WireFieldUse.Derived)))
        {
            var after = b.Read(Full, other.GetProperty(b.Field.Name!));
            SessionChanges.Differ(Full, after).ShouldBeTrue($"a change of '{b.Field}' is visible");
            var changes = Write(w => SessionChanges.Write(w, Full, after));
            changes.TryGetProperty(b.Field.Name!, out _).ShouldBeTrue($"'{b.Field}' is in changes");
            var mask = SessionChanges.UsageOnlyMask(Full, after);
            if (b.Field.Has(WireFieldUse.Usage))
            {
                mask.ShouldNotBe(0, $"'{b.Field}' is a usage counter");
                masks.Add(mask).ShouldBeTrue($"'{b.Field}' has its own bit");
            }
            else
            {
                mask.ShouldBe(0, $"'{b.Field}' is not a usage counter");
            }
        }
    }

    [Fact]
    public void TheStoreRowHasEveryColumnInOrderAndRoundTripsEveryStoredField()
    {
        var stored = SessionWire.All.Where(f => f.Column is not null).ToList();
        SessionFields.StoreColumns.ShouldBe(string.Join(", ", stored.SelectMany(f => f.Columns)));
        stored.Where(f => f.Kind != WireFieldKind.Subtree).ShouldAllBe(f => f.Columns.Length == 1 && f.Columns[0] == f.Column);
        SessionWire.Subtree.Columns.ShouldBe(["subtree_sessions", "subtree_active", "subtree_input_tokens", "subtree_output_tokens", "subtree_cost_usd"]);
        var row = new RowBuffer();
        SessionFields.WriteRow(row, Full);
        row.Columns.ShouldBe(stored.SelectMany(f => f.Columns).ToList(), "bound by ordinal in column order");
        var read = SessionFields.ReadRow(row);
        foreach (var b in SessionFields.Table.All)
        {
            b.Differs(Full, read).ShouldBeFalse($"'{b.Field}' reads back from its column");
        }
    }

    [Fact]
    public async Task ARealServerAndItsOpenApiDocumentShowEveryDeclaredFieldWithItsKind()
    {
        await using var server = await SwitchboardServer.StartAsync();
        // Building the document walks every endpoint and schema once per server; on a loaded 2-core machine the cold build
        // can outlast the default bound for one request, so it gets the bound of a server start.
        using var documentClient = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TestTimeouts.Long };
        var document = JsonDocument.Parse(await documentClient.GetStringAsync("/openapi/v1.json")).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");

        string[] Names(WireFieldUse use) => [.. SessionWire.All.Where(f => f.Name is not null && f.Has(use)).Select(f => f.Name!)];
        var expectations = new (string Schema, string[] Own, WireFieldUse Use, string[] Trailing)[]
        {
            ("SessionResponse", [], WireFieldUse.Response, []),
            ("CreateSessionRequest", [], WireFieldUse.Create, []),
            ("UpdateSessionRequest", [], WireFieldUse.Update, ["expected_version"]),
            ("UsageRequest", [], WireFieldUse.AddUsage, []),
            ("BatchOperationBatchCreate", ["op"], WireFieldUse.Create, []),
            ("BatchOperationBatchUpdate", ["op", "id"], WireFieldUse.Update, ["expected_version"]),
            ("BatchOperationBatchUsage", ["op", "id"], WireFieldUse.AddUsage, []),
        };

        foreach (var (name, own, use, trailing) in expectations)
        {
            schemas.TryGetProperty(name, out var schema).ShouldBeTrue($"the document has a {name} schema");
            var properties = schema.GetProperty("properties");
            properties.EnumerateObject().Select(p => p.Name).ShouldBe([.. own, .. Names(use), .. trailing], $"{name}: the declared fields, nothing missing, nothing extra");
            foreach (var field in SessionWire.All.Where(f => f.Name is not null && f.Has(use)))
            {
                AssertSchema(field, properties.GetProperty(field.Name!), name);
            }

            if (use == WireFieldUse.Response)
            {
                schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(Names(use), ignoreOrder: true);
            }
            else
            {
                schema.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse($"{name} refuses unknown fields");
            }
        }

        // The server's own responses: a session created with every field a create may set has every response field.
        (await server.Http.PostAsync("/api/sessions", new StringContent("""{"id":"wire-0"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var create = new StringBuilder("{");
        var sample = Write(w => SessionJson.Write(w, Full with { TerminatedAt = null }));
        create.AppendJoin(",", SessionWire.All.Where(f => f.Name is not null && f.Has(WireFieldUse.Create))
            .Select(f => $"\"{f.Name}\":{(f == SessionWire.State ? "\"working\"" : sample.GetProperty(f.Name!).GetRawText())}"));
        create.Append('}');
        using var response = await server.Http.PostAsync("/api/sessions", new StringContent(create.ToString(), Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        ((int)response.StatusCode).ShouldBe(201, body.GetRawText());
        body.EnumerateObject().Select(p => p.Name).ShouldBe(Names(WireFieldUse.Response));
        foreach (var field in SessionWire.All.Where(f => f.Name is not null && f.Has(WireFieldUse.Response)))
        {
            AssertKind(field, body.GetProperty(field.Name!));
        }

        foreach (var field in SessionWire.All.Where(f => f.Name is not null && f.Has(WireFieldUse.Create)))
        {
            body.GetProperty(field.Name!).GetRawText().ShouldBe(
                field == SessionWire.State ? "\"working\"" : sample.GetProperty(field.Name!).GetRawText(), $"'{field}' as created");
        }
    }

    private static void AssertKind(WireField field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            field.Nullable.ShouldBeTrue($"'{field}' is declared nullable when written as null");
            return;
        }

        switch (field.Kind)
        {
            case WireFieldKind.Text:
                value.ValueKind.ShouldBe(JsonValueKind.String, $"'{field}' is a string");
                break;
            case WireFieldKind.State:
                SessionWire.StateNames.ShouldContain(value.GetString(), $"'{field}' is a state name");
                break;
            case WireFieldKind.Labels:
                value.ValueKind.ShouldBe(JsonValueKind.Object, $"'{field}' is an object");
                value.EnumerateObject().ShouldAllBe(p => p.Value.ValueKind == JsonValueKind.String);
                break;
            case WireFieldKind.JsonObject:
                value.ValueKind.ShouldBe(JsonValueKind.Object, $"'{field}' is an object");
                break;
            case WireFieldKind.Int32:
                value.TryGetInt32(out _).ShouldBeTrue($"'{field}' is a 32-bit integer");
                break;
            case WireFieldKind.Int64:
                value.TryGetInt64(out _).ShouldBeTrue($"'{field}' is a 64-bit integer");
                break;
            case WireFieldKind.Decimal:
                value.ValueKind.ShouldBe(JsonValueKind.Number, $"'{field}' is a number");
                break;
            case WireFieldKind.Time:
                WireTimeText().IsMatch(value.GetString() ?? "").ShouldBeTrue($"'{field}' is a UTC timestamp with milliseconds: {value}");
                break;
            case WireFieldKind.Bool:
                value.ValueKind.ShouldBeOneOf([JsonValueKind.True, JsonValueKind.False], $"'{field}' is true or false");
                break;
            case WireFieldKind.Subtree:
                value.EnumerateObject().Select(p => p.Name).ShouldBe(["sessions", "active", "input_tokens", "output_tokens", "total_tokens", "cost_usd"]);
                value.EnumerateObject().ShouldAllBe(p => p.Value.ValueKind == JsonValueKind.Number);
                value.GetProperty("total_tokens").GetInt64().ShouldBe(value.GetProperty("input_tokens").GetInt64() + value.GetProperty("output_tokens").GetInt64());
                break;
            case WireFieldKind.Streams:
                value.ValueKind.ShouldBe(JsonValueKind.Array, $"'{field}' is an array");
                foreach (var stream in value.EnumerateArray())
                {
                    stream.EnumerateObject().Select(p => p.Name).ShouldBe(["name", "content_type", "closed"]);
                    stream.GetProperty("name").ValueKind.ShouldBe(JsonValueKind.String);
                    stream.GetProperty("content_type").ValueKind.ShouldBe(JsonValueKind.String);
                    stream.GetProperty("closed").ValueKind.ShouldBeOneOf([JsonValueKind.True, JsonValueKind.False]);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown kind {field.Kind}.");
        }
    }

    private static void AssertSchema(WireField field, JsonElement schema, string owner)
    {
        var types = schema.GetProperty("type") is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [schema.GetProperty("type").GetString()!];
        types.Contains("null").ShouldBe(field.Nullable, $"{owner}.{field}: nullable as declared");
        var (type, format) = field.Kind switch
        {
            WireFieldKind.Text or WireFieldKind.State => ("string", null),
            WireFieldKind.Labels or WireFieldKind.JsonObject => ("object", null),
            WireFieldKind.Int32 => ("integer", "int32"),
            WireFieldKind.Int64 => ("integer", "int64"),
            WireFieldKind.Decimal => ("number", null),
            WireFieldKind.Time => ("string", "date-time"),
            WireFieldKind.Bool => ("boolean", null),
            WireFieldKind.Subtree => ("object", null),
            WireFieldKind.Streams => ("array", null),
            _ => throw new InvalidOperationException($"Unknown kind {field.Kind}."),
        };
        types.Where(t => t != "null").ShouldBe([type], $"{owner}.{field}: {field.Kind} is a JSON {type}");
        (schema.TryGetProperty("format", out var f) ? f.GetString() : null).ShouldBe(format, $"{owner}.{field}: format");
        if (field.Kind == WireFieldKind.State)
        {
            schema.GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(SessionWire.StateNames);
        }

        if (field.Kind == WireFieldKind.Labels)
        {
            schema.GetProperty("additionalProperties").GetProperty("type").GetString().ShouldBe("string");
        }

        if (field.Kind == WireFieldKind.Subtree)
        {
            schema.GetProperty("properties").EnumerateObject().Select(p => p.Name)
                .ShouldBe(["sessions", "active", "input_tokens", "output_tokens", "total_tokens", "cost_usd"]);
            schema.GetProperty("required").EnumerateArray().Count().ShouldBe(6);
            schema.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
        }

        if (field.Kind == WireFieldKind.Streams)
        {
            var item = schema.GetProperty("items");
            item.GetProperty("properties").EnumerateObject().Select(p => p.Name).ShouldBe(["name", "content_type", "closed"]);
            item.GetProperty("required").EnumerateArray().Count().ShouldBe(3);
            item.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
        }

        schema.GetProperty("description").GetString().ShouldBe(field.Description);
    }

    private static JsonElement Write(Action<Utf8JsonWriter> write) => JsonDocument.Parse(Text(write)).RootElement.Clone();

    private static string Text(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    private static partial Regex WireTimeText();

    /// <summary>A row as a store would keep it, by ordinal: what was bound is what is read back.</summary>
    private sealed class RowBuffer : ISessionRowWriter, ISessionRowReader
    {
        private readonly List<object?> _values = [];

        public List<string> Columns { get; } = [];

        public void Text(int ordinal, string column, string? value) => Add(ordinal, column, value);
        public void Int32(int ordinal, string column, int? value) => Add(ordinal, column, value);
        public void Int64(int ordinal, string column, long value) => Add(ordinal, column, value);
        public void Decimal(int ordinal, string column, decimal value) => Add(ordinal, column, value);
        public void Time(int ordinal, string column, DateTimeOffset? value) => Add(ordinal, column, value);
        public void Bool(int ordinal, string column, bool value) => Add(ordinal, column, value);

        public bool IsNull(int ordinal) => _values[ordinal] is null;
        public string Text(int ordinal) => (string)_values[ordinal]!;
        public int Int32(int ordinal) => (int)_values[ordinal]!;
        public long Int64(int ordinal) => (long)_values[ordinal]!;
        public decimal Decimal(int ordinal) => (decimal)_values[ordinal]!;
        public DateTimeOffset Time(int ordinal) => (DateTimeOffset)_values[ordinal]!;
        public bool Bool(int ordinal) => (bool)_values[ordinal]!;

        private void Add(int ordinal, string column, object? value)
        {
            ordinal.ShouldBe(_values.Count, "ordinals are bound in order");
            _values.Add(value);
            Columns.Add(column);
        }
    }
}
