using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>Helpers for command tests: issue, list, read a session's command events from the log.</summary>
internal static class CommandKit
{
    /// <summary>Issues a command and checks the 201.</summary>
    public static async Task<JsonElement> IssueAsync(this HttpClient http, string session, object body)
    {
        var r = await http.PostAsync($"/api/sessions/{session}/commands", body);
        r.Status.ShouldBe(201, r.Body.ToString());
        return r.Body;
    }

    /// <summary>The session's commands (optionally only some states), in issue order.</summary>
    public static async Task<List<JsonElement>> CommandsAsync(this HttpClient http, string session, string? state = null)
    {
        var r = await http.GetJsonAsync($"/api/sessions/{session}/commands" + (state is null ? "" : "?state=" + state));
        r.Status.ShouldBe(200, r.Body.ToString());
        return [.. r.Body.GetProperty("commands").EnumerateArray()];
    }

    /// <summary>The command events of a session in the log, as "type command-type" strings.</summary>
    public static async Task<List<string>> CommandHistoryAsync(this HttpClient http, string session) =>
        (await http.EventsAsync(sessionId: session))
            .Where(e => e.Str("type").StartsWith("command_", StringComparison.Ordinal))
            .Select(e => $"{e.Str("type")} {Command(e).Str("type")}")
            .ToList();

    /// <summary>The log's head seq.</summary>
    public static async Task<long> HeadAsync(this HttpClient http) => (await http.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");

    /// <summary>Waits for a session's command history to be <paramref name="expected"/>.</summary>
    public static async Task ExpectHistoryAsync(this HttpClient http, string session, params string[] expected)
    {
        List<string> history = [];
        try
        {
            await TestTimeouts.Eventually(async () => (history = await http.CommandHistoryAsync(session)).SequenceEqual(expected),
                $"command history of {session} to be [{string.Join("; ", expected)}]");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; it is [{string.Join("; ", history)}]", ex);
        }
    }

    public static JsonElement Command(JsonElement e) => e.GetProperty("data").GetProperty("command");

    /// <summary>The ids of the commands in an answer's <c>commands</c>.</summary>
    public static List<string> CommandIds(this JsonElement answer) =>
        [.. answer.GetProperty("commands").EnumerateArray().Select(c => c.Str("id"))];
}
