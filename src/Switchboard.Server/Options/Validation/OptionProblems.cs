using System.Globalization;
using Microsoft.Extensions.Options;

namespace Switchboard.Server.Options.Validation;

/// <summary>
/// Collects what is wrong with one options object, a line per setting: the configuration key, the value and what is
/// allowed (<c>Switchboard:Sockets:SendQueueMaxFrames = 0 is not allowed: it must be at least 1.</c>).
/// </summary>
internal sealed class OptionProblems(string section)
{
    private readonly List<string> _lines = [];

    public ValidateOptionsResult Result => _lines.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_lines);

    public void Add(string key, object? value, string allowed) =>
        _lines.Add($"{section}:{key} = {Format(value)} is not allowed: {allowed}.");

    /// <summary>A line of its own, for problems that must not echo the value (keys, secrets).</summary>
    public void AddLine(string line) => _lines.Add(line);

    public void AtLeast(string key, long value, long minimum)
    {
        if (value < minimum)
        {
            Add(key, value, $"it must be at least {minimum.ToString("N0", CultureInfo.InvariantCulture)}");
        }
    }

    public void InRange(string key, long value, long minimum, long maximum)
    {
        if (value < minimum || value > maximum)
        {
            Add(key, value, $"it must be from {minimum.ToString("N0", CultureInfo.InvariantCulture)} to {maximum.ToString("N0", CultureInfo.InvariantCulture)}");
        }
    }

    public void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Add(key, value, "it must be a positive duration such as 00:00:10 (hh:mm:ss)");
        }
    }

    public void NotNegative(string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Add(key, value, "it must be zero or a positive duration such as 00:00:10 (hh:mm:ss)");
        }
    }

    public void Merge(ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            _lines.AddRange(result.Failures);
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "(empty)",
        string s => $"'{s}'",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
