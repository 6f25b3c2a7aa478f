using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Transports.WebSockets.ConnectionLevel;

/// <summary>
/// A throwaway <see cref="HttpContext"/> for a handshake read at the connection level, so the very same checks as the
/// HTTP path run on it. Its upgrade writes the 101 straight to the socket; a refusal is serialized by <see cref="WriteRefusalAsync"/>.
/// Nothing of it outlives the handshake.
/// </summary>
internal sealed class HandshakeContext : IHttpUpgradeFeature
{
    private readonly ConnectionContext _connection;
    private readonly HttpResponseFeature _response = new();
    private readonly MemoryStream _body = new();
    private readonly StreamResponseBodyFeature _bodyFeature;

    public HandshakeContext(ConnectionContext connection, RequestHead head)
    {
        _connection = connection;
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = "http",
            Method = HttpMethods.Get,
            PathBase = "",
            Path = head.Path,
            QueryString = head.Query,
            RawTarget = head.Target,
            Headers = head.Headers,
        });
        features.Set<IHttpResponseFeature>(_response);
        _bodyFeature = new StreamResponseBodyFeature(_body);
        features.Set<IHttpResponseBodyFeature>(_bodyFeature);
        features.Set<IHttpUpgradeFeature>(this);
        // Its own small object: the connection keeps this feature's Abort, and must not keep the rest of the handshake.
        features.Set<IHttpRequestLifetimeFeature>(new ConnectionLifetime(connection));
        var remote = connection.RemoteEndPoint as IPEndPoint;
        var local = connection.LocalEndPoint as IPEndPoint;
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connection.ConnectionId,
            RemoteIpAddress = remote?.Address,
            RemotePort = remote?.Port ?? 0,
            LocalIpAddress = local?.Address,
            LocalPort = local?.Port ?? 0,
        });
        Http = new DefaultHttpContext(features);
    }

    public HttpContext Http { get; }

    public bool IsUpgradableRequest => true;

    /// <summary>Writes the 101 with the response headers the checks set, and hands over the socket.</summary>
    public async Task<Stream> UpgradeAsync()
    {
        var head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        AppendHeaders(head);
        await WriteAsync(head.Append("\r\n").ToString(), body: default);
        return new DuplexPipeStream(_connection.Transport);
    }

    /// <summary>Sends the problem the checks wrote, then the connection closes.</summary>
    public async Task WriteRefusalAsync()
    {
        await _bodyFeature.CompleteAsync(); // the problem is still in the body writer's buffer
        var status = _response.StatusCode;
        var head = new StringBuilder($"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n");
        AppendHeaders(head);
        head.Append("Content-Length: ").Append(_body.Length).Append("\r\nConnection: close\r\n\r\n");
        await WriteAsync(head.ToString(), _body.GetBuffer().AsMemory(0, (int)_body.Length));
    }

    /// <summary>The handshake itself was broken (malformed or too large): answer without running any check.</summary>
    public static async Task WriteStatusAsync(ConnectionContext connection, int status)
    {
        var text = $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        await connection.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Answers with <paramref name="problem"/> as problem+json and <c>Connection: close</c>.</summary>
    public static async Task WriteProblemAsync(ConnectionContext connection, ProblemResult problem)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body))
        {
            problem.Write(json);
        }

        var head = $"HTTP/1.1 {problem.Status} {ReasonPhrases.GetReasonPhrase(problem.Status)}\r\nContent-Type: application/problem+json\r\n" +
            $"Content-Length: {body.WrittenCount}\r\nConnection: close\r\n\r\n";
        var output = connection.Transport.Output;
        output.Write(Encoding.ASCII.GetBytes(head));
        output.Write(body.WrittenSpan);
        await output.FlushAsync();
    }

    private void AppendHeaders(StringBuilder head)
    {
        foreach (var (name, values) in _response.Headers)
        {
            foreach (var value in values)
            {
                head.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }
    }

    private async Task WriteAsync(string head, ReadOnlyMemory<byte> body)
    {
        var output = _connection.Transport.Output;
        output.Write(Encoding.Latin1.GetBytes(head));
        if (!body.IsEmpty)
        {
            output.Write(body.Span);
        }

        await output.FlushAsync();
    }

    private sealed class ConnectionLifetime(ConnectionContext connection) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted
        {
            get => connection.ConnectionClosed;
            set => throw new NotSupportedException();
        }

        public void Abort() => connection.Abort();
    }
}
