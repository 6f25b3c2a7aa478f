using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Switchboard.Server.Metrics;

internal sealed partial class PrometheusExporter
{
    /// <summary>What a Prometheus family keeps per label set.</summary>
    private enum Aggregation
    {
        /// <summary>Deltas summed (Counter, UpDownCounter).</summary>
        Sum,
        /// <summary>The latest observation (observable instruments, gauges): they report totals themselves.</summary>
        Last,
        /// <summary>Bucket counts, sum and count.</summary>
        Histogram,
    }

    /// <summary>
    /// One instrument as one Prometheus metric family, with a series per label set. Recording is lock-free (a
    /// measurement may come from the live loop): series are found without a lock and updated with interlocked operations,
    /// and rendering reads them the same way, so a scrape never holds anything a recorder waits for. A sample may be
    /// rendered between a histogram's bucket and its count; the next scrape is consistent again.
    /// </summary>
    private sealed class MetricFamily
    {
        private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly Aggregation _aggregation;
        private readonly double[] _bounds;
        private readonly Series _unlabelled;
        private volatile bool _unlabelledUsed;

        private MetricFamily(string name, string type, string help, Aggregation aggregation, double[] bounds)
        {
            Name = name;
            Type = type;
            Help = help;
            _aggregation = aggregation;
            _bounds = bounds;
            _unlabelled = new Series(bounds.Length);
        }

        public string Name { get; }

        private string Type { get; }

        private string Help { get; }

        public static MetricFamily For(Instrument instrument)
        {
            var type = instrument.GetType().GetGenericTypeDefinition();
            var monotonic = type == typeof(Counter<>) || type == typeof(ObservableCounter<>);
            var aggregation = type == typeof(Histogram<>) ? Aggregation.Histogram
                : type == typeof(Counter<>) || type == typeof(UpDownCounter<>) ? Aggregation.Sum
                : Aggregation.Last;
            var name = Sanitize(instrument.Name) + UnitSuffix(instrument.Unit);
            if (monotonic)
            {
                name += "_total";
            }

            var promType = aggregation == Aggregation.Histogram ? "histogram" : monotonic ? "counter" : "gauge";
            var help = instrument.Description ?? instrument.Name;
            return new MetricFamily(name, promType, help, aggregation, aggregation == Aggregation.Histogram ? BucketsOf(instrument) : []);
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Series series;
            if (tags.Length == 0)
            {
                series = _unlabelled;
                _unlabelledUsed = true;
            }
            else
            {
                var labels = Labels(tags);
                series = _series.TryGetValue(labels, out var found) ? found : _series.GetOrAdd(labels, static (_, bounds) => new Series(bounds), _bounds.Length);
            }

            switch (_aggregation)
            {
                case Aggregation.Sum:
                    series.Add(value);
                    break;
                case Aggregation.Last:
                    series.Set(value);
                    break;
                default:
                    var bucket = 0;
                    while (bucket < _bounds.Length && value > _bounds[bucket])
                    {
                        bucket++;
                    }

                    Interlocked.Increment(ref series.Buckets[bucket]);
                    series.Add(value);
                    Interlocked.Increment(ref series.Count);
                    break;
            }
        }

        public void Render(StringBuilder text, Action<string>? rendering)
        {
            rendering?.Invoke(Name);

            // A family with nothing recorded yet is still declared, so scrapers see it from the start.
            text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(Help)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
            IEnumerable<KeyValuePair<string, Series>> all = _series.OrderBy(s => s.Key, StringComparer.Ordinal);
            if (_unlabelledUsed)
            {
                all = all.Prepend(new KeyValuePair<string, Series>("", _unlabelled));
            }

            foreach (var (labels, series) in all)
            {
                if (_aggregation != Aggregation.Histogram)
                {
                    Sample(text, Name, labels, series.Read());
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i <= _bounds.Length; i++)
                {
                    cumulative += Volatile.Read(ref series.Buckets[i]);
                    var le = i < _bounds.Length ? Number(_bounds[i]) : "+Inf";
                    Sample(text, Name + "_bucket", WithLabel(labels, "le", le), cumulative);
                }

                Sample(text, Name + "_sum", labels, series.Read());
                Sample(text, Name + "_count", labels, Volatile.Read(ref series.Count));
            }
        }

        private static void Sample(StringBuilder text, string name, string labels, double value) =>
            text.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');

        private static double[] BucketsOf(Instrument instrument) => instrument switch
        {
            Histogram<double> { Advice.HistogramBucketBoundaries: { } b } => [.. b],
            Histogram<long> { Advice.HistogramBucketBoundaries: { } b } => [.. b.Select(x => (double)x)],
            Histogram<int> { Advice.HistogramBucketBoundaries: { } b } => [.. b.Select(x => (double)x)],
            _ => DefaultBuckets,
        };

        /// <summary><c>{a="x",b="y"}</c>, sorted by name, values escaped.</summary>
        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var pairs = new (string Name, string Value)[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                pairs[i] = (Sanitize(tags[i].Key), Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
            }

            Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var text = new StringBuilder("{");
            for (var i = 0; i < pairs.Length; i++)
            {
                text.Append(i == 0 ? "" : ",").Append(pairs[i].Name).Append("=\"").Append(EscapeLabel(pairs[i].Value)).Append('"');
            }

            return text.Append('}').ToString();
        }

        private static string WithLabel(string labels, string name, string value) =>
            labels.Length == 0 ? $"{{{name}=\"{value}\"}}" : $"{labels[..^1]},{name}=\"{value}\"}}";

        private static string Number(double value) => value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            double.NaN => "NaN",
            _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };

        /// <summary>Metric and label names: <c>[a-zA-Z_][a-zA-Z0-9_]*</c> (colons are reserved for recording rules).</summary>
        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!(char.IsAsciiLetter(chars[i]) || chars[i] == '_' || (i > 0 && char.IsAsciiDigit(chars[i]))))
                {
                    chars[i] = '_';
                }
            }

            return new string(chars);
        }

        /// <summary>OpenTelemetry units as Prometheus suffixes; annotations in braces (<c>{event}</c>) add none.</summary>
        private static string UnitSuffix(string? unit) => unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => "",
        };

        private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

        private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
    }

    /// <summary>A series' value (a double kept as its bits, so it can be updated with interlocked operations), count and buckets.</summary>
    private sealed class Series(int bounds)
    {
        public readonly long[] Buckets = new long[bounds + 1];
        public long Count;
        private long _bits;

        public double Read() => BitConverter.Int64BitsToDouble(Volatile.Read(ref _bits));

        public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));

        public void Add(double value)
        {
            var seen = Volatile.Read(ref _bits);
            while (true)
            {
                var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
                var was = Interlocked.CompareExchange(ref _bits, next, seen);
                if (was == seen)
                {
                    return;
                }

                seen = was;
            }
        }
    }
}
