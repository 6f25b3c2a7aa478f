using System.Text;
using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Sessions made from an agent's OpenTelemetry carry a source badge, "OpenTelemetry · claude-code", in the list and in
/// the detail panel (issue 27); sessions reported through the API carry none.
/// </summary>
public sealed class SourceBadgeTests(Chromium chromium)
{
    [Fact]
    public async Task ASessionFromOpenTelemetryShowsItsSourceInTheListAndTheDetailPanel()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("plain", "Reported by an SDK");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress);
        await Expect(page.Rows).ToHaveCountAsync(1);

        // What Claude Code exports: a user_prompt log event with its session.id, from service claude-code.
        using (var logs = new StringContent(ClaudeCodePrompt("cc-1"), Encoding.UTF8, "application/json"))
        {
            using var answer = await server.Http.PostAsync("v1/logs", logs);
            answer.IsSuccessStatusCode.ShouldBeTrue(await answer.Content.ReadAsStringAsync());
        }

        var row = page.Row("otel:s:cc-1");
        await Expect(row.GetByTestId("source-badge")).ToHaveTextAsync("OpenTelemetry · claude-code");
        await Expect(row.GetByTestId("source-badge")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("claude-code over OpenTelemetry"));
        await Expect(page.Row("plain").GetByTestId("source-badge")).ToHaveCountAsync(0);

        await row.GetByTestId("session-open").ClickAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-session-id", "otel:s:cc-1");
        await Expect(page.Detail.GetByTestId("detail-status").GetByTestId("source-badge")).ToHaveTextAsync("OpenTelemetry · claude-code");

        await page.Page.GetByTestId("detail-close").ClickAsync();
        await page.Row("plain").GetByTestId("session-open").ClickAsync();
        await Expect(page.Detail).ToHaveAttributeAsync("data-session-id", "plain");
        await Expect(page.Detail.GetByTestId("detail-status").GetByTestId("state-badge")).ToBeVisibleAsync();
        await Expect(page.Detail.GetByTestId("source-badge")).ToHaveCountAsync(0);
        page.ShouldHaveNoScriptErrors();
    }

    private static string ClaudeCodePrompt(string sessionId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        return $$$"""
            {"resourceLogs":[{"resource":{"attributes":[
              {"key":"service.name","value":{"stringValue":"claude-code"}},{"key":"service.version","value":{"stringValue":"2.0.14"}}]},
             "scopeLogs":[{"scope":{"name":"com.anthropic.claude_code.events"},"logRecords":[{"timeUnixNano":"{{{now}}}",
              "body":{"stringValue":"claude_code.user_prompt"},"attributes":[
              {"key":"event.name","value":{"stringValue":"user_prompt"}},{"key":"session.id","value":{"stringValue":"{{{sessionId}}}"}},
              {"key":"event.sequence","value":{"intValue":"1"}},{"key":"prompt_length","value":{"intValue":"42"}}]}]}]}]}
            """;
    }
}
