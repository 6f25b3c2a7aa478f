using System.CommandLine;
using System.Globalization;

namespace Switchboard.Cli;

/// <summary>
/// Options whose values are parsed here rather than by System.CommandLine's converters, so a bad value is refused in the
/// option's own terms ("--sessions takes a whole number from 1 to 500; got 'abc'") and never aborts the process.
/// </summary>
internal static class OptionValues
{
    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], <paramref name="defaultValue"/> when absent.</summary>
    public static Option<int> WholeNumber(string name, string description, int defaultValue, int min, int max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            r.AddError($"{name} takes a whole number from {min} to {max}; got '{text}'.");
            return defaultValue;
        },
    };

    /// <summary>
    /// Values given comma-separated, repeated, or both (<c>--types a,b --types c</c>), as one list; null when none were
    /// given (an empty value too), so the caller's default applies.
    /// </summary>
    public static Option<string[]?> CommaList(string name, string description) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray() is { Length: > 0 } list ? list : null,
    };

    /// <summary>A log position (a seq): a whole number from 0, or null when absent.</summary>
    public static Option<long?> Seq(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return value;
            }

            r.AddError($"{name} takes a seq, a whole number from 0 (the seq of the last event you saw); got '{text}'.");
            return null;
        },
    };

    /// <summary>A positive duration (see <see cref="TryParseDuration"/>), or null when absent.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (TryParseDuration(text, out var duration))
            {
                return duration;
            }

            r.AddError($"{name} takes a positive time such as 90s, 5m, 1h or 00:05:00; got '{text}'.");
            return null;
        },
    };

    /// <summary>One of an enum's names, case-insensitive, or null when absent.</summary>
    public static Option<T?> OneOf<T>(string name, string description) where T : struct, Enum => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (!text.All(char.IsAsciiDigit) && Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
            {
                return value;
            }

            r.AddError($"{name} is {string.Join(" or ", Enum.GetNames<T>())}; got '{text}'.");
            return null;
        },
    };

    /// <summary>Seconds (<c>90</c>), a unit (<c>90s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c>) or a TimeSpan (<c>00:05:00</c>).</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        text = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && n * seconds < 1e9)
            {
                duration = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && plain > 0 && plain < 1e9)
        {
            duration = TimeSpan.FromSeconds(plain);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    /// <summary>Writes a duration the way <see cref="TryParseDuration"/> reads it: 2h, 15m or 90s.</summary>
    public static string Describe(TimeSpan duration) =>
        duration.TotalHours >= 1 && duration.TotalHours % 1 == 0 ? $"{duration.TotalHours:0}h"
        : duration.TotalMinutes >= 1 && duration.TotalMinutes % 1 == 0 ? $"{duration.TotalMinutes:0}m"
        : $"{duration.TotalSeconds:0.#}s";
}
