using Microsoft.Extensions.Primitives;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Phoenix;

/// <summary>
/// The Phoenix serializers served. V2 (<c>vsn=2.0.0</c>, the phoenix client's default) frames are arrays
/// <c>[join_ref, ref, topic, event, payload]</c>; V1 (<c>vsn=1.0.0</c>, or no <c>vsn</c> at all, as Phoenix assumes)
/// frames are objects <c>{topic, event, payload, ref}</c>. The channel layer is the same for both: only the codec differs.
/// </summary>
internal enum PhoenixSerializer
{
    V1,
    V2,
}

internal static class PhoenixSerializers
{
    /// <summary>
    /// The serializer a connection asked for: the last <c>vsn</c> wins (phoenix.js appends its own after any in the user's
    /// params), none means V1. Null for a version not served, an empty <c>vsn=</c> included (answered 403, as Phoenix does).
    /// </summary>
    public static PhoenixSerializer? FromVsn(StringValues vsn)
    {
        if (vsn.Count == 0)
        {
            return PhoenixSerializer.V1;
        }

        var last = vsn[vsn.Count - 1] ?? "";
        return IsVersion(last, '1') ? PhoenixSerializer.V1
            : IsVersion(last, '2') ? PhoenixSerializer.V2
            : null;
    }

    /// <summary>A shared frame as a connection speaking <paramref name="serializer"/> sends it (V1's form is built once, on first use).</summary>
    public static OutboundFrame For(this OutboundFrame frame, PhoenixSerializer serializer) => serializer == PhoenixSerializer.V1 ? frame.AsV1 : frame;

    /// <summary>The text of the last <c>vsn</c>, for the refusal's message.</summary>
    public static string Describe(StringValues vsn) => vsn.Count == 0 ? "(none)" : vsn[vsn.Count - 1] ?? "";

    /// <summary><c>~&gt; major.0</c>: <c>major.0.patch</c> with a numeric patch.</summary>
    private static bool IsVersion(string vsn, char major) =>
        vsn.Length > 4 && vsn[0] == major && vsn.AsSpan(1, 3).SequenceEqual(".0.") && vsn.AsSpan(4).IndexOfAnyExceptInRange('0', '9') < 0;
}
