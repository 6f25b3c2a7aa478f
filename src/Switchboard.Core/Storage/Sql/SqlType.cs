using Switchboard.Core.Sessions;

namespace Switchboard.Core.Storage.Sql;

/// <summary>What a column holds; each store's dialect names the type it keeps it in (<see cref="SqlDialect.ColumnType"/>).</summary>
internal enum SqlType
{
    Text,
    /// <summary>Text compared byte by byte (a tree path, whose subtree is one range in that order).</summary>
    Path,
    Int16,
    Int32,
    Int64,
    /// <summary>An exact decimal.</summary>
    Decimal,
    Bool,
    Time,
    Bytes,
}

/// <summary>The column type of a session field's kind.</summary>
internal static class SqlTypes
{
    public static SqlType Of(WireFieldKind kind) => kind switch
    {
        WireFieldKind.Int32 => SqlType.Int32,
        WireFieldKind.Int64 => SqlType.Int64,
        WireFieldKind.Decimal => SqlType.Decimal,
        WireFieldKind.Bool => SqlType.Bool,
        WireFieldKind.Time => SqlType.Time,
        _ => SqlType.Text, // text, and the JSON ones
    };
}
