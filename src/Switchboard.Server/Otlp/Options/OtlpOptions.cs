using Switchboard.Core.Hosting;

namespace Switchboard.Server.Otlp.Options;

/// <summary>OpenTelemetry in (<c>Switchboard:Otlp</c>): the OTLP receivers and how telemetry becomes sessions. See docs/otel.md.</summary>
public sealed class OtlpOptions
{
    /// <summary>False turns the OTLP receivers off (HTTP and gRPC). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the OTLP/gRPC listener binds (HTTP/2 cleartext), separated by <c>;</c>. Default <c>http://127.0.0.1:4317</c>, which
    /// is best effort (taken: warn and run without it); an address set explicitly must bind. Empty turns gRPC off. Read by the
    /// executable; a host that embeds Switchboard adds its own HTTP/2 listener.
    /// </summary>
    public string? GrpcUrls { get; set; }

    /// <summary>True when <see cref="GrpcUrls"/> is the executable's default rather than a choice: failing to bind it only warns.</summary>
    internal bool GrpcBestEffort { get; set; }

    /// <summary>The executable's default OTLP/gRPC address (the OTLP standard port, on loopback).</summary>
    public const string DefaultGrpcUrls = "http://127.0.0.1:4317";

    /// <summary>A working session with no telemetry for this long becomes idle. Default 30 s.</summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A session with no telemetry for this long is terminated. Default 4 h: long enough that a person's break does not end
    /// their agent (it is idle meanwhile); an agent heard from after it continues in a new session (docs/otel.md).
    /// </summary>
    public TimeSpan EndAfter { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The largest OTLP request body, after gzip is undone. Default 16 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The most records (spans, log records, metric points) one request may carry. Past it the first ones are taken and
    /// the rest refused, counted in the answer's <c>partial_success</c> (which exporters log and do not retry). Default 10,000.
    /// </summary>
    public int MaxRecordsPerRequest { get; set; } = SwitchboardDefaults.OtlpMaxRecordsPerRequest;

    /// <summary>
    /// The most attributes read of one record, resource or scope; the rest are ignored (the record is kept), counted in
    /// <c>switchboard_otlp_attributes_ignored_total</c> and said in <c>partial_success</c>. Default 128, the OpenTelemetry SDKs' own limit.
    /// </summary>
    public int MaxAttributesPerRecord { get; set; } = SwitchboardDefaults.OtlpMaxAttributesPerRecord;

    /// <summary>
    /// The most OTLP requests (HTTP and gRPC together) this node handles at once. Past it a request is answered 503 with
    /// <c>Retry-After</c> (gRPC UNAVAILABLE with a retry delay), which exporters retry. Default 256.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = SwitchboardDefaults.OtlpMaxConcurrentRequests;
}
