using System.Diagnostics.Metrics;
using System.Text;

namespace Switchboard.Server.Metrics;

/// <summary>
/// Collects Switchboard's meter (this instance's only, so several servers in one process stay apart) and the
/// runtime's <c>System.Runtime</c> meter with a <see cref="MeterListener"/>, and renders them in the Prometheus text
/// exposition format 0.0.4. Counters are summed per label set, histograms kept in their advised buckets, and
/// observable instruments read at scrape time.
/// </summary>
internal sealed partial class PrometheusExporter : IDisposable
{
    public const string ContentType = MediaType + "; charset=utf-8";

    /// <summary>The text exposition format, as the OpenAPI document names it.</summary>
    public const string MediaType = "text/plain; version=0.0.4";
    private const string RuntimeMeter = "System.Runtime";

    private readonly Meter _own;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, MetricFamily> _families = [];
    private readonly object _scrapeLock = new();

    public PrometheusExporter(SwitchboardMetrics metrics)
    {
        _own = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _own) || instrument.Meter.Name == RuntimeMeter)
            {
                var family = MetricFamily.For(instrument);
                lock (_families)
                {
                    _families[instrument] = family;
                }

                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_families)
            {
                _families.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Test hook: called with each family's name as it starts to render, so a test can hold a scrape in the middle of one.</summary>
    internal Action<string>? Rendering { get; set; }

    /// <summary>Reads the observable instruments and renders every family.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            _listener.RecordObservableInstruments();
            List<MetricFamily> families;
            lock (_families)
            {
                families = [.. _families.Values];
            }

            var text = new StringBuilder(8192);
            foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Render(text, Rendering);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
