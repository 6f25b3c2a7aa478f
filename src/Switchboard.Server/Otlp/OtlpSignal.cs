namespace Switchboard.Server.Otlp;

/// <summary>The three OTLP signals; the wire names are the <c>signal</c> label of <c>switchboard_otlp_records_total</c>.</summary>
internal enum OtlpSignal
{
    Traces,
    Logs,
    Metrics,
}

internal static class OtlpSignals
{
    public static string ToWire(this OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "traces",
        OtlpSignal.Logs => "logs",
        _ => "metrics",
    };
}
