using System.Text;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>The detail panel shows how many are watching its session, from presence on <c>session:{id}</c>.</summary>
public sealed class PresenceTests(Chromium chromium)
{
    [Fact]
    public async Task TheDetailPanelCountsEveryoneWatchingTheSession()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("watched", "Shared session", state: "working");
        await using var first = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await using var second = await DashboardPage.OpenAsync(chromium, server.BaseAddress);

        await first.Row("watched").GetByTestId("session-open").ClickAsync();
        var firstViewers = first.Page.GetByTestId("detail-viewers");
        await Expect(firstViewers).ToHaveTextAsync("1 viewer");

        await second.Row("watched").GetByTestId("session-open").ClickAsync();
        await Expect(second.Page.GetByTestId("detail-viewers")).ToHaveTextAsync("2 viewers");
        await Expect(firstViewers).ToHaveTextAsync("2 viewers");

        // Someone watching over long-poll, with the phoenix protocol directly, counts too.
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var connect = await http.GetStringAsync("/socket/longpoll?vsn=2.0.0");
        var token = System.Text.Json.JsonDocument.Parse(connect).RootElement.GetProperty("token").GetString()!;
        await http.PostAsync($"/socket/longpoll?vsn=2.0.0&token={Uri.EscapeDataString(token)}",
            new StringContent("""["1","1","session:watched","phx_join",{"viewer":{"name":"cli-user"}}]""", Encoding.UTF8, "application/x-ndjson"));
        await Expect(firstViewers).ToHaveTextAsync("3 viewers");

        await second.Page.GetByTestId("detail-close").ClickAsync();
        await Expect(firstViewers).ToHaveTextAsync("2 viewers");
        await second.Page.CloseAsync(); // and a tab that goes away entirely
        await Expect(firstViewers).ToHaveTextAsync("2 viewers");
        first.ShouldHaveNoScriptErrors();
    }
}
