using System.Text;
using System.Text.Json;
using Switchboard.Core.Json;

namespace Switchboard.Core.Approvals;

/// <summary>
/// A hook's tool input and plan, bounded at <see cref="ApprovalLimits.MaxInputBytes"/> of compact UTF-8 (docs/approvals.md,
/// "The whole context"): past it the longest string values are cut, each ending with an ellipsis, until the whole fits.
/// </summary>
internal static class ApprovalInput
{
    /// <summary>
    /// The input as compact JSON within <paramref name="maxBytes"/>: whole when it fits; else with every string value over
    /// the longest length that fits cut to it; null when even that cannot fit (its names and numbers alone are too
    /// large). <paramref name="truncated"/> says whether anything was cut or left out.
    /// </summary>
    public static string? Bound(JsonElement input, out bool truncated, int maxBytes = ApprovalLimits.MaxInputBytes)
    {
        truncated = false;
        if (input.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var whole = CompactJson.Write(input);
        if (Encoding.UTF8.GetByteCount(whole) <= maxBytes)
        {
            return whole;
        }

        truncated = true;
        // The size only shrinks as the cap goes down, so a binary search over the cap finds the longest that fits:
        // O(size × log longest), bounded by the hook's own body.
        int low = 0, high = Longest(input);
        string? best = null;
        while (low <= high)
        {
            var cap = low + ((high - low) / 2);
            var text = CompactJson.Write(input, cap);
            if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
            {
                best = text;
                low = cap + 1;
            }
            else
            {
                high = cap - 1;
            }
        }

        return best;
    }

    /// <summary>Text within <paramref name="maxBytes"/> of UTF-8, cut with an ellipsis past it (never inside a surrogate pair).</summary>
    public static string Clip(string text, out bool truncated, int maxBytes = ApprovalLimits.MaxInputBytes)
    {
        truncated = Encoding.UTF8.GetByteCount(text) > maxBytes;
        if (!truncated)
        {
            return text;
        }

        // A character is at most 3 UTF-8 bytes (a surrogate pair 4 for 2): maxBytes / 3 characters always fit; grow from there.
        var keep = Math.Min(text.Length, (maxBytes - 3) / 3);
        var budget = maxBytes - 3 - Encoding.UTF8.GetByteCount(text.AsSpan(0, keep));
        while (keep < text.Length)
        {
            var width = char.IsHighSurrogate(text[keep]) && keep + 1 < text.Length ? 2 : 1;
            var bytes = Encoding.UTF8.GetByteCount(text.AsSpan(keep, width));
            if (bytes > budget)
            {
                break;
            }

            budget -= bytes;
            keep += width;
        }

        return text[..keep] + "…";
    }

    private static int Longest(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Select(p => Longest(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => value.EnumerateArray().Select(Longest).DefaultIfEmpty(0).Max(),
        JsonValueKind.String => value.GetString()!.Length,
        _ => 0,
    };
}
