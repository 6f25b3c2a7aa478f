using Microsoft.Playwright;
using Switchboard.Dashboard.Tests.Browser;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Dashboard.Tests;

/// <summary>
/// Each kind of approval card on a 390 px phone and a 1280 px desktop, raised through the real hook endpoint: the page
/// does not scroll sideways, no text sits on other text, the card's buttons are on screen without scrolling and none
/// covers another. Saved as <c>docs/approval-{kind}-{width}.png</c> with <c>SWITCHBOARD_UPDATE_SCREENSHOTS=1</c>.
/// </summary>
public sealed class ApprovalScreenshotTests(Chromium chromium)
{
    /// <summary>The card's visible buttons and fields, each inside the viewport, and the pairs whose boxes overlap.</summary>
    private const string LayoutProblems = """
        card => {
          const out = [];
          const controls = [...card.querySelectorAll('button, textarea, input, .approval-plan, .approval-diff, .approval-code')]
            .filter(el => el.checkVisibility());
          const boxes = controls.map(el => ({ el, r: el.getBoundingClientRect(), name: el.dataset.testid || el.className }));
          for (const { r, name } of boxes) {
            if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) {
              out.push(`${name} not on screen: ${Math.round(r.left)},${Math.round(r.top)}..${Math.round(r.right)},${Math.round(r.bottom)}`);
            }
          }
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i], b = boxes[j];
              if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
              const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
              const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
              if (w > 0.5 && h > 0.5) out.push(`${a.name} overlaps ${b.name}`);
            }
          }
          return out;
        }
        """;

    [Theory]
    [InlineData("bash", 390)]
    [InlineData("bash", 1280)]
    [InlineData("edit", 390)]
    [InlineData("edit", 1280)]
    [InlineData("question", 390)]
    [InlineData("question", 1280)]
    [InlineData("plan", 390)]
    [InlineData("plan", 1280)]
    public async Task EachKindOfCardFitsThePhoneAndTheDesktopWithItsButtonsOnScreen(string kind, int width)
    {
        await using var server = await ApprovalCardTests.StartAsync();
        var height = width < 640 ? 844 : 800;
        await using var page = await ApprovalCardTests.OpenAsync(chromium, server, width, height);
        using var hook = Ask(server, kind);
        var card = page.Page.GetByTestId("needs-you-approval");
        await Expect(card.GetByTestId(kind == "question" ? "approval-send-answers" : "approval-allow")).ToBeVisibleAsync();
        if (kind == "question")
        {
            await card.GetByTestId("approval-option").Nth(1).ClickAsync(); // a chosen option, as a person sees it
        }

        await page.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ShouldNotScrollSidewaysAsync();
        (await page.Page.EvaluateAsync<string[]>(PhoneTests.TextProblems)).ShouldBeEmpty();
        (await card.EvaluateAsync<string[]>(LayoutProblems)).ShouldBeEmpty();

        var output = Path.Combine(AppContext.BaseDirectory, "screenshots", $"approval-{kind}-{width}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = output, Animations = ScreenshotAnimations.Disabled });
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_UPDATE_SCREENSHOTS") == "1")
        {
            File.Copy(output, Path.Combine(RepoPaths.Root, "docs", Path.GetFileName(output)), overwrite: true);
        }

        hook.IsAnswered.ShouldBeFalse();
        page.ShouldHaveNoScriptErrors();
    }

    private static HeldHook Ask(SwitchboardServer server, string kind) => kind switch
    {
        "bash" => HeldHook.Ask(server, ApprovalCardTests.AgentKey, "shop-7", "Bash",
            new { command = "npm ci &&\nnpm run build &&\nnpm test -- --coverage", description = "Install, build and test the shop" },
            fields: new
            {
                permission_suggestions = new object[]
                {
                    new { type = "addRules", rules = new[] { new { toolName = "Bash", ruleContent = "npm test:*" } }, behavior = "allow", destination = "localSettings" },
                },
            }),
        "edit" => HeldHook.Ask(server, ApprovalCardTests.AgentKey, "shop-7", "Edit", new
        {
            file_path = "/home/dev/shop/src/cart.ts",
            old_string = "export function cartTotal(items: Item[]) {\n  const total = items.length;\n  return total;\n}",
            new_string = "export function cartTotal(items: Item[]) {\n  const total = items.reduce((n, i) => n + i.qty, 0);\n  return total;\n}",
        }),
        "question" => HeldHook.Ask(server, ApprovalCardTests.AgentKey, "shop-7", "AskUserQuestion",
            new QuestionsInput([ApprovalExamples.Questions.Questions[0]])),
        _ => HeldHook.Ask(server, ApprovalCardTests.AgentKey, "shop-7", "ExitPlanMode", new { plan = ApprovalExamples.Plan }),
    };
}
