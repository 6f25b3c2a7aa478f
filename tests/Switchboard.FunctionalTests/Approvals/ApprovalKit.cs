using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

internal static class ApprovalKit
{
    /// <summary>A session as the API answers it (asserting 200).</summary>
    public static async Task<JsonElement> SessionAsync(HttpClient http, string session)
    {
        var r = await http.GetJsonAsync($"/api/sessions/{Uri.EscapeDataString(session)}");
        r.Status.ShouldBe(200, r.Body.ToString());
        return r.Body;
    }

    /// <summary>Waits until the session has a pending approval, and returns it.</summary>
    public static async Task<JsonElement> WaitForPendingAsync(HttpClient http, string session)
    {
        JsonElement found = default;
        await TestTimeouts.Eventually(async () =>
        {
            var r = await http.GetJsonAsync($"/api/sessions/{Uri.EscapeDataString(session)}/approvals?state=pending");
            if (r.Status != 200 || r.Body.GetProperty("approvals").GetArrayLength() == 0)
            {
                return false;
            }

            found = r.Body.GetProperty("approvals")[0].Clone();
            return true;
        }, $"a pending approval of {session}", TestTimeouts.Long);
        return found;
    }
}
