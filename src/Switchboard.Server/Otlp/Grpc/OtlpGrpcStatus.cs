using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using RpcStatus = Switchboard.Otlp.Proto.Rpc.Status;
using RetryInfo = Switchboard.Otlp.Proto.Rpc.RetryInfo;

namespace Switchboard.Server.Otlp.Grpc;

/// <summary>
/// gRPC refusals an exporter acts on. A refusal it should retry later carries a <c>google.rpc.RetryInfo</c> in the
/// <c>grpc-status-details-bin</c> trailer: the OTLP specification makes UNAVAILABLE retryable and RESOURCE_EXHAUSTED
/// retryable only with it, and exporters wait the delay it gives (the gRPC form of HTTP's <c>Retry-After</c>).
/// </summary>
internal static class OtlpGrpcStatus
{
    public const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>An exception Grpc.AspNetCore answers with <paramref name="code"/>, and a retry delay when one is given.</summary>
    public static RpcException Exception(StatusCode code, string message, TimeSpan? retryAfter = null)
    {
        var trailers = new Metadata();
        if (retryAfter is { } delay)
        {
            trailers.Add(DetailsTrailer, Details(code, message, delay));
        }

        return new RpcException(new Status(code, message), trailers);
    }

    /// <summary>
    /// Answers the call with <paramref name="code"/> before anything of its request is read: a trailers-only response
    /// (status in the headers of an empty HTTP/2 response), as gRPC servers answer a call they refuse at once.
    /// </summary>
    public static Task RefuseAsync(HttpContext http, StatusCode code, string message, TimeSpan? retryAfter = null)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
        if (retryAfter is { } delay)
        {
            response.Headers[DetailsTrailer] = Convert.ToBase64String(Details(code, message, delay)).TrimEnd('=');
        }

        return Task.CompletedTask;
    }

    /// <summary>A <c>google.rpc.Status</c> holding a <c>RetryInfo</c> of <paramref name="delay"/>, serialized.</summary>
    public static byte[] Details(StatusCode code, string message, TimeSpan delay) => new RpcStatus
    {
        Code = (int)code,
        Message = message,
        Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }) },
    }.ToByteArray();

    /// <summary><c>grpc-message</c> is percent-encoded UTF-8: printable ASCII but '%' as it is, every other byte as %XX.</summary>
    private static string PercentEncode(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
