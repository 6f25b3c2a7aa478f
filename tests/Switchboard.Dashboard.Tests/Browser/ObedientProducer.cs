using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// A producer over the plain HTTP API that obeys the commands of one session, as an agent would: it long-polls for them
/// (<c>GET …/commands?wait=N</c>), then pause sets <c>paused</c>, resume <c>idle</c>, cancel terminates with reason
/// <c>cancelled</c>, a message is read; each is acknowledged <c>done</c> (a message with its text as the note).
/// </summary>
public sealed class ObedientProducer : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _id;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ObedientProducer(Uri server, string sessionId)
    {
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        _id = sessionId;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>A failure of the loop, for the test to report.</summary>
    public Exception? Failure { get; private set; }

    private async Task RunAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var response = await _http.GetAsync($"api/sessions/{_id}/commands?wait=20", _stop.Token);
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_stop.Token)).RootElement;
                response.IsSuccessStatusCode.ShouldBeTrue(body.ToString());
                foreach (var command in body.GetProperty("commands").EnumerateArray())
                {
                    if (await ObeyAsync(command))
                    {
                        return; // cancelled: the session has ended
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Failure = ex;
        }
    }

    private async Task<bool> ObeyAsync(JsonElement command)
    {
        var id = command.GetProperty("id").GetString()!;
        var type = command.GetProperty("type").GetString();
        string? note = null;
        switch (type)
        {
            case "pause":
                await _http.PatchAsync(_id, new { state = "paused" });
                break;
            case "resume":
                await _http.PatchAsync(_id, new { state = "idle" });
                break;
            case "cancel":
                await _http.TerminateAsync(_id, "cancelled");
                break;
            default:
                note = command.GetProperty("text").GetString();
                break;
        }

        await _http.SendAsync(HttpMethod.Post, $"api/sessions/{_id}/commands/{id}/ack", new { outcome = "done", note });
        return type == "cancel";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(TestTimeouts.Default);
        _http.Dispose();
        _stop.Dispose();
    }
}
