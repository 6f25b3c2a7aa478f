using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Agents.Tests;

/// <summary>What a real Switchboard recorded about an agent's sessions: the session as the API returns it, and its events on the log.</summary>
internal static class SwitchboardLog
{
    /// <summary>The session, or default when it does not exist.</summary>
    public static async Task<JsonElement?> SessionAsync(SwitchboardServer server, string id, HttpClient? http = null)
    {
        var response = await (http ?? server.Http).GetAsync("/api/sessions/" + Uri.EscapeDataString(id));
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone() : null;
    }

    /// <summary>Waits until the session exists and <paramref name="until"/> holds of it, and returns it.</summary>
    public static async Task<JsonElement> WaitForAsync(SwitchboardServer server, string id, Func<JsonElement, bool> until, string what, HttpClient? http = null)
    {
        JsonElement found = default;
        await TestTimeouts.Eventually(async () =>
        {
            if (await SessionAsync(server, id, http) is { } session && until(session))
            {
                found = session;
                return true;
            }

            return false;
        }, $"{id}: {what}", TestTimeouts.Long);
        return found;
    }

    public static Task<JsonElement> TerminatedAsync(SwitchboardServer server, string id, HttpClient? http = null) =>
        WaitForAsync(server, id, s => s.GetProperty("state").GetString() == "terminated", "terminated", http);

    /// <summary>Every session, as the API lists them.</summary>
    public static async Task<List<JsonElement>> SessionsAsync(SwitchboardServer server, string query = "")
    {
        var body = JsonDocument.Parse(await server.Http.GetStringAsync("/api/sessions?limit=500" + query)).RootElement;
        return [.. body.GetProperty("sessions").EnumerateArray().Select(s => s.Clone())];
    }

    /// <summary>The session's events on the log, oldest first.</summary>
    public static async Task<List<JsonElement>> EventsAsync(SwitchboardServer server, string id)
    {
        var body = JsonDocument.Parse(await server.Http.GetStringAsync("/api/events?limit=1000&session_id=" + Uri.EscapeDataString(id))).RootElement;
        return [.. body.GetProperty("events").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The states the session went through on the log, in order (its created state first).</summary>
    public static async Task<List<string>> StatesAsync(SwitchboardServer server, string id)
    {
        var states = new List<string>();
        foreach (var e in await EventsAsync(server, id))
        {
            var data = e.GetProperty("data");
            var state = e.GetProperty("type").GetString() switch
            {
                "session_created" or "session_terminated" => data.GetProperty("session").GetProperty("state").GetString(),
                "session_updated" when data.GetProperty("changes").TryGetProperty("state", out var s) => s.GetString(),
                _ => null,
            };
            if (state is not null)
            {
                states.Add(state);
            }
        }

        return states;
    }

    /// <summary>Every value the session's <c>activity</c> took on the log, in order.</summary>
    public static async Task<List<string?>> ActivitiesAsync(SwitchboardServer server, string id)
    {
        var values = new List<string?>();
        foreach (var e in await EventsAsync(server, id))
        {
            var data = e.GetProperty("data");
            if (data.TryGetProperty("session", out var session) && session.TryGetProperty("activity", out var a)
                || data.TryGetProperty("changes", out var changes) && changes.TryGetProperty("activity", out a))
            {
                values.Add(a.GetString());
            }
        }

        return values;
    }

    /// <summary>The reason on the session's <c>session_terminated</c>.</summary>
    public static async Task<string?> EndReasonAsync(SwitchboardServer server, string id) =>
        (await EventsAsync(server, id)).Where(e => e.GetProperty("type").GetString() == "session_terminated")
            .Select(e => e.GetProperty("data").GetProperty("reason").GetString()).SingleOrDefault();

    /// <summary>The agent's one session, once its prompt made it working (the model holds its answer meanwhile).</summary>
    public static async Task<string> WorkingSessionAsync(SwitchboardServer server)
    {
        string? id = null;
        await TestTimeouts.Eventually(async () =>
        {
            id = (await SwitchboardLog.SessionsAsync(server)).Where(s => s.GetProperty("state").GetString() == "working")
                .Select(s => s.GetProperty("id").GetString()).FirstOrDefault();
            return id is not null;
        }, "the agent's session working", TestTimeouts.Long);
        return id!;
    }

    public static async Task<string> IssueAsync(SwitchboardServer server, string id, object command)
    {
        var response = await server.Http.PostAsJsonAsync($"/api/sessions/{Uri.EscapeDataString(id)}/commands", command);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The first pending approval of any session, once an agent's hook has raised one (read with <paramref name="http"/>, a keyed client, when given).</summary>
    public static async Task<JsonElement> PendingApprovalAsync(SwitchboardServer server, HttpClient? http = null)
    {
        http ??= server.Http;
        JsonElement found = default;
        await TestTimeouts.Eventually(async () =>
        {
            using var sessions = JsonDocument.Parse(await http.GetStringAsync("/api/sessions?limit=500"));
            foreach (var session in sessions.RootElement.GetProperty("sessions").EnumerateArray())
            {
                var id = Uri.EscapeDataString(session.GetProperty("id").GetString()!);
                using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/sessions/{id}/approvals?state=pending"));
                if (doc.RootElement.GetProperty("approvals").GetArrayLength() > 0)
                {
                    found = doc.RootElement.GetProperty("approvals")[0].Clone();
                    return true;
                }
            }

            return false;
        }, "the agent's hook to become a pending approval", TestTimeouts.Long);
        return found;
    }

    /// <summary>
    /// The approval an agent's held hook raised, once pending: it names <paramref name="tool"/> and says
    /// <paramref name="summary"/>, and its session is <c>waiting</c>.
    /// </summary>
    public static async Task<JsonElement> HeldApprovalAsync(SwitchboardServer server, string tool, string summary)
    {
        var pending = await PendingApprovalAsync(server);
        pending.GetProperty("tool").GetString().ShouldBe(tool);
        pending.GetProperty("summary").GetString().ShouldBe(summary);
        var id = pending.GetProperty("session_id").GetString()!;
        (await SessionAsync(server, id))!.Value.GetProperty("state").GetString().ShouldBe("waiting");
        return pending;
    }

    /// <summary>The session's approvals, as the API lists them.</summary>
    public static async Task<List<JsonElement>> ApprovalsAsync(SwitchboardServer server, string id)
    {
        var body = JsonDocument.Parse(await server.Http.GetStringAsync($"/api/sessions/{Uri.EscapeDataString(id)}/approvals")).RootElement;
        return [.. body.GetProperty("approvals").EnumerateArray().Select(a => a.Clone())];
    }

    /// <summary>Answers <paramref name="approval"/> over the API, as an operator does (<c>decision</c>: allow or deny).</summary>
    public static Task AnswerAsync(SwitchboardServer server, JsonElement approval, string decision, string? note = null) =>
        AnswerAsync(server, approval, new { decision, note });

    /// <summary>Answers <paramref name="approval"/> with <paramref name="body"/> (docs/approvals.md: decision, note, interrupt, answers, suggestion).</summary>
    public static async Task AnswerAsync(SwitchboardServer server, JsonElement approval, object body)
    {
        var id = Uri.EscapeDataString(approval.GetProperty("session_id").GetString()!);
        var response = await server.Http.PostAsJsonAsync($"/api/sessions/{id}/approvals/{approval.GetProperty("id").GetString()}", body);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The types of the session's events on the log, in order.</summary>
    public static async Task<List<string>> TypesAsync(SwitchboardServer server, string id) =>
        [.. (await EventsAsync(server, id)).Select(e => e.GetProperty("type").GetString()!)];

    public static async Task<JsonElement> AcknowledgedAsync(SwitchboardServer server, string id, string commandId)
    {
        JsonElement command = default;
        await TestTimeouts.Eventually(async () =>
        {
            command = JsonDocument.Parse(await server.Http.GetStringAsync($"/api/sessions/{Uri.EscapeDataString(id)}/commands/{commandId}")).RootElement.Clone();
            return command.GetProperty("state").GetString() == "acknowledged";
        }, $"{commandId} acknowledged", TestTimeouts.Long);
        return command;
    }
}
