using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.FunctionalTests.Metrics;

/// <summary>
/// A strict parser for the Prometheus text exposition format 0.0.4, written for these tests: it rejects anything a
/// Prometheus server would reject (bad names, bad escapes, bad numbers, duplicate series, TYPE after samples, split
/// families) and also checks what the format promises about counters and histograms.
/// </summary>
internal sealed partial class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText()
    {
    }

    public Dictionary<string, Family> Families { get; } = new(StringComparer.Ordinal);

    /// <summary>The value of one series; throws when it is missing.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var key = SeriesKey(name, labels.ToDictionary(l => l.Name, l => l.Value));
        foreach (var family in Families.Values)
        {
            if (family.Samples.TryGetValue(key, out var value))
            {
                return value;
            }
        }

        throw new KeyNotFoundException($"no series {key}");
    }

    public static PrometheusText Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var result = new PrometheusText();
        var closed = new HashSet<string>(StringComparer.Ordinal);
        Family? current = null;
        var lineNumber = 0;
        foreach (var line in text.Split('\n')[..^1])
        {
            lineNumber++;
            try
            {
                current = result.ParseLine(line, current, closed);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"line {lineNumber}: {ex.Message}: '{line}'", ex);
            }
        }

        foreach (var family in result.Families.Values)
        {
            family.Validate();
        }

        return result;
    }

    private Family? ParseLine(string line, Family? current, HashSet<string> closed)
    {
        if (line.Length == 0)
        {
            return current;
        }

        if (line.StartsWith('#'))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length >= 3 && parts[0] == "#" && parts[1] is "HELP" or "TYPE")
            {
                var name = parts[2];
                RequireMetricName(name);
                var family = Enter(name, current, closed);
                var rest = parts.Length == 4 ? parts[3] : "";
                if (parts[1] == "HELP")
                {
                    if (family.Help is not null)
                    {
                        throw new FormatException($"second HELP for {name}");
                    }

                    family.Help = Unescape(rest, help: true);
                }
                else
                {
                    if (family.Type is not null || family.Samples.Count > 0)
                    {
                        throw new FormatException($"TYPE for {name} must come once, before its samples");
                    }

                    family.Type = Types.Contains(rest) ? rest : throw new FormatException($"unknown type '{rest}'");
                }

                return family;
            }

            return current; // a plain comment
        }

        var match = SampleLine().Match(line);
        if (!match.Success)
        {
            throw new FormatException("not a sample line");
        }

        var sampleName = match.Groups["name"].Value;
        var labels = ParseLabels(match.Groups["labels"].Value);
        var value = ParseValue(match.Groups["value"].Value);
        var familyName = FamilyOf(sampleName, current);
        var owner = Enter(familyName, current, closed);
        var key = SeriesKey(sampleName, labels);
        if (!owner.Samples.TryAdd(key, value))
        {
            throw new FormatException($"duplicate series {key}");
        }

        owner.Lines.Add((sampleName, labels, value));
        return owner;
    }

    /// <summary>Histogram and summary samples carry suffixes; everything else is named as its family.</summary>
    private static string FamilyOf(string sample, Family? current)
    {
        if (current is { Type: "histogram" or "summary" })
        {
            foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            {
                if (sample == current.Name + suffix)
                {
                    return current.Name;
                }
            }
        }

        return sample;
    }

    /// <summary>Families must be contiguous: once left, a family may not appear again.</summary>
    private Family Enter(string name, Family? current, HashSet<string> closed)
    {
        if (current is not null && current.Name != name)
        {
            closed.Add(current.Name);
        }

        if (closed.Contains(name))
        {
            throw new FormatException($"lines of {name} are not contiguous");
        }

        if (!Families.TryGetValue(name, out var family))
        {
            family = new Family(name);
            Families[name] = family;
        }

        return family;
    }

    private static Dictionary<string, string> ParseLabels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var eq = text.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= text.Length || text[eq + 1] != '"')
            {
                throw new FormatException("a label must be name=\"value\"");
            }

            var name = text[i..eq];
            if (!LabelName().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))
            {
                throw new FormatException($"bad label name '{name}'");
            }

            var value = new StringBuilder();
            var j = eq + 2;
            for (; j < text.Length && text[j] != '"'; j++)
            {
                if (text[j] == '\\')
                {
                    j++;
                    value.Append(j < text.Length ? text[j] switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        _ => throw new FormatException($"bad escape \\{text[j]} in label {name}"),
                    } : throw new FormatException("dangling escape"));
                }
                else if (text[j] == '\n')
                {
                    throw new FormatException("raw line feed in a label value");
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            if (j >= text.Length)
            {
                throw new FormatException($"unterminated value of label {name}");
            }

            if (!labels.TryAdd(name, value.ToString()))
            {
                throw new FormatException($"label {name} repeated");
            }

            i = j + 1;
            if (i < text.Length)
            {
                if (text[i] != ',')
                {
                    throw new FormatException("labels must be separated by commas");
                }

                i++;
            }
        }

        return labels;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when Number().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"bad value '{text}'"),
    };

    private static string Unescape(string text, bool help)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            i++;
            result.Append(i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when !help => '"',
                _ => throw new FormatException($"bad escape in {(help ? "HELP" : "label")}"),
            } : throw new FormatException("dangling escape"));
        }

        return result.ToString();
    }

    private static void RequireMetricName(string name)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"bad metric name '{name}'");
        }
    }

    private static string SeriesKey(string name, IReadOnlyDictionary<string, string> labels) =>
        name + "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^\n]*)\})? (?<value>\S+)( -?[0-9]+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();
}
