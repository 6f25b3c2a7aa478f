namespace Switchboard.Options;

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

    /// <summary>A session with no telemetry for this long is terminated. Default 10 min.</summary>
    public TimeSpan EndAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest OTLP request body, after gzip is undone. Default 16 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;
}
