using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.FunctionalTests.Webhooks;

/// <summary>A real HTTP receiver on 127.0.0.1:0 (Kestrel) that records every POST and answers with whatever status the test sets.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _received = new();
    private volatile int _status = 200;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>The status every request is answered with from now on.</summary>
    public int Status { get => _status; set => _status = value; }

    /// <summary>How long each answer takes.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Requests answered 2xx, in arrival order.</summary>
    public List<Delivery> Accepted => [.. _received.Where(d => d.Answered is >= 200 and < 300)];

    /// <summary>Every request, in arrival order.</summary>
    public List<Delivery> All => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var status = receiver._status;
            if (receiver.Delay > TimeSpan.Zero)
            {
                await Task.Delay(receiver.Delay);
            }

            receiver._received.Enqueue(new Delivery(buffer.ToArray(), http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), status));
            http.Response.StatusCode = status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One received POST.</summary>
    public sealed record Delivery(byte[] Body, Dictionary<string, string> Headers, int Answered)
    {
        public long Seq => long.Parse(Headers["Switchboard-Seq"], System.Globalization.CultureInfo.InvariantCulture);

        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

        /// <summary>The documented check: HMAC-SHA256 with the secret over "{Switchboard-Timestamp}.{raw body}", hex, after "v1=".</summary>
        public bool SignatureValid(string secret)
        {
            var signed = Encoding.UTF8.GetBytes(Headers["Switchboard-Timestamp"] + ".").Concat(Body).ToArray();
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Headers["Switchboard-Signature"]));
        }
    }
}
