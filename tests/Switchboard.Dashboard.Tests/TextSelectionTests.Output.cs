using System.Text;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>A session's output grows at its end: what is shown stays, so a selection of earlier output survives.</summary>
public sealed partial class TextSelectionTests
{
    [Fact]
    public async Task NewOutputIsAddedAfterTheTextShownWhichKeepsItsSelection()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("writer", "Writer", state: "working");
        await StreamAsync(server, HttpMethod.Put, "");
        await StreamAsync(server, HttpMethod.Post, "compiling shop\n");
        await using var page = await DashboardPage.OpenAsync(chromium, server.BaseAddress, "?session=writer");
        var text = page.Page.GetByTestId("detail-output-text");
        await Expect(text).ToHaveTextAsync("compiling shop\n");
        // A person drags over the first word.
        await text.EvaluateAsync("""
            (el) => {
              const range = document.createRange();
              range.setStart(el.firstChild, 0);
              range.setEnd(el.firstChild, "compiling".length);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
            }
            """);
        (await page.SelectedTextAsync()).ShouldBe("compiling");
        await page.WatchDetachmentsAsync("detail-output-text");

        await StreamAsync(server, HttpMethod.Post, "linking shop\n");
        await Expect(text).ToHaveTextAsync("compiling shop\nlinking shop\n");
        (await page.DetachedAsync("detail-output-text")).ShouldBeEmpty("the text already shown stays");
        (await page.SelectedTextAsync()).ShouldBe("compiling");
        page.ShouldHaveNoScriptErrors();
    }

    /// <summary>Creates (PUT) or appends to (POST) the session's text stream <c>output</c>, as a producer does.</summary>
    private static async Task StreamAsync(SwitchboardServer server, HttpMethod method, string text)
    {
        using var request = new HttpRequestMessage(method, "v1/stream/sessions/writer/output")
        {
            Content = new StringContent(text, Encoding.UTF8, "text/plain"),
        };
        using var response = await server.Http.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue($"{method} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
