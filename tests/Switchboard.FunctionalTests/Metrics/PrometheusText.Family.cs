namespace Switchboard.FunctionalTests.Metrics;

internal sealed partial class PrometheusText
{
    /// <summary>One metric family: its declared type and help, and its samples by series.</summary>
    internal sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string? Type { get; set; }

        public string? Help { get; set; }

        public Dictionary<string, double> Samples { get; } = new(StringComparer.Ordinal);

        public List<(string Name, Dictionary<string, string> Labels, double Value)> Lines { get; } = [];

        public void Validate()
        {
            if (Type is null)
            {
                throw new FormatException($"{Name} has no TYPE");
            }

            switch (Type)
            {
                case "counter":
                    if (Lines.Any(l => l.Name != Name || l.Value < 0 || double.IsNaN(l.Value)))
                    {
                        throw new FormatException($"counter {Name} has a sample that is misnamed, negative or NaN");
                    }

                    break;
                case "gauge":
                    if (Lines.Any(l => l.Name != Name))
                    {
                        throw new FormatException($"gauge {Name} has a misnamed sample");
                    }

                    break;
                case "histogram":
                    ValidateHistogram();
                    break;
            }
        }

        private void ValidateHistogram()
        {
            static string Without(Dictionary<string, string> labels, string name) =>
                string.Join(",", labels.Where(l => l.Key != name).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

            foreach (var series in Lines.GroupBy(l => Without(l.Labels, "le")))
            {
                var buckets = series.Where(l => l.Name == Name + "_bucket").ToList();
                var count = series.SingleOrDefault(l => l.Name == Name + "_count");
                var sum = series.SingleOrDefault(l => l.Name == Name + "_sum");
                if (buckets.Count == 0 || count.Name is null || sum.Name is null)
                {
                    throw new FormatException($"histogram {Name}{{{series.Key}}} needs _bucket, _sum and _count");
                }

                var bounds = buckets.Select(b => b.Labels.TryGetValue("le", out var le) ? ParseValue(le) : throw new FormatException("a bucket without le")).ToList();
                if (!double.IsPositiveInfinity(bounds[^1]))
                {
                    throw new FormatException($"histogram {Name} must end with le=\"+Inf\"");
                }

                for (var i = 1; i < buckets.Count; i++)
                {
                    if (bounds[i] <= bounds[i - 1] || buckets[i].Value < buckets[i - 1].Value)
                    {
                        throw new FormatException($"histogram {Name} buckets must grow in le and be cumulative");
                    }
                }

                if (buckets[^1].Value != count.Value)
                {
                    throw new FormatException($"histogram {Name}: the +Inf bucket ({buckets[^1].Value}) must equal _count ({count.Value})");
                }
            }
        }
    }
}
