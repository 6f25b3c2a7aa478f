using System.Net;
using Switchboard.Otlp.Proto.Rpc;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>What a raw gRPC call was answered: its status, message and the retry delay of its status details (null: none).</summary>
internal sealed record GrpcAnswer(string Status, string? Message, TimeSpan? RetryDelay);

/// <summary>Unary OTLP/gRPC calls over HTTP/2 cleartext with a body given byte for byte (which no exporter would send).</summary>
internal static class OtlpGrpcCall
{
    public const string Traces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    public static async Task<GrpcAnswer> CallAsync(Uri grpc, byte[] request, string? key, string path = Traces)
    {
        using var http = new HttpClient();
        var framed = new byte[5 + request.Length];
        framed[1] = (byte)(request.Length >> 24);
        framed[2] = (byte)(request.Length >> 16);
        framed[3] = (byte)(request.Length >> 8);
        framed[4] = (byte)request.Length;
        request.CopyTo(framed, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(grpc, path))
        {
            Content = new ByteArrayContent(framed),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Content.Headers.ContentType = new("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (key is not null)
        {
            message.Headers.Authorization = new("Bearer", key);
        }

        using var response = await http.SendAsync(message);
        await response.Content.ReadAsByteArrayAsync();
        string? Value(string name) => response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.Single()
            : response.Headers.TryGetValues(name, out var header) ? header.Single() : null;

        var status = Value("grpc-status") ?? $"no grpc-status: HTTP {(int)response.StatusCode} {response.Version} {response.Headers} {response.TrailingHeaders}";
        TimeSpan? delay = null;
        if (Value("grpc-status-details-bin") is { } details)
        {
            var padded = details.PadRight(details.Length + (4 - details.Length % 4) % 4, '=');
            var rpc = Status.Parser.ParseFrom(Convert.FromBase64String(padded));
            rpc.Code.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe(status, "the details repeat the status");
            delay = rpc.Details.Single().Unpack<RetryInfo>().RetryDelay.ToTimeSpan();
        }

        return new GrpcAnswer(status, Value("grpc-message") is { } m ? Uri.UnescapeDataString(m) : null, delay);
    }
}
