namespace Switchboard.Generators;

/// <summary>The field kinds a plain field may have: the ones a request reads as one JSON value with a shared codec.</summary>
internal static class Kinds
{
    /// <summary>Why a field of <paramref name="kind"/> cannot be plain; null when it can.</summary>
    public static string? Refusal(string kind, bool nullable) => (kind, nullable) switch
    {
        ("Int32", _) or ("Text", _) or ("Int64", false) or ("Decimal", false) or ("Bool", false) => null,
        _ => $"A plain session field is Int32, Int32?, Int64, Decimal, Bool, Text or Text? (a kind requests read with a shared codec); '{kind}{(nullable ? "?" : "")}' needs a rule and a binding of its own.",
    };

    /// <summary>The C# type of a value of <paramref name="kind"/>.</summary>
    public static string TypeOf(string kind) => kind switch
    {
        "Int32" => "int",
        "Int64" => "long",
        "Decimal" => "decimal",
        "Bool" => "bool",
        _ => "string",
    };

    /// <summary>A non-null field's value when a create request leaves it out.</summary>
    public static string DefaultOf(string kind) => kind switch
    {
        "Int32" or "Int64" or "Decimal" => "0",
        "Bool" => "false",
        _ => "\"\"",
    };

    /// <summary>The strict reader of a request body (Core's <c>IRequestFields</c>) for a field of <paramref name="kind"/>.</summary>
    public static string ReaderOf(string kind, bool nullable) => kind switch
    {
        "Int32" => nullable ? "NullableInt" : "Int",
        "Int64" => "Long",
        "Decimal" => "Decimal",
        "Bool" => "Bool",
        _ => nullable ? "NullableString" : "String",
    };

    /// <summary>The <c>Utf8JsonWriter</c> method that writes a value of <paramref name="kind"/>.</summary>
    public static string WriterOf(string kind) => kind switch
    {
        "Int32" or "Int64" or "Decimal" => "WriteNumber",
        "Bool" => "WriteBoolean",
        _ => "WriteString",
    };
}
