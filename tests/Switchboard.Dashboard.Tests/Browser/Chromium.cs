using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Switchboard.Dashboard.Tests.Browser.Chromium))]

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// One headless Debian Chromium for the whole run, driven by Playwright. The browser is the system one
/// (<c>/usr/bin/chromium</c>, installed by <c>.ci/run</c>); a missing browser fails every test, never skips it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Where Debian installs Chromium; <c>SWITCHBOARD_CHROMIUM</c> may point elsewhere.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("SWITCHBOARD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium did not start.");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is required by the dashboard tests and was not found at {ExecutablePath}. " +
                "Install it (apt-get install chromium; .ci/run does this) or set SWITCHBOARD_CHROMIUM. These tests never skip.");
        }

        // Expect's own default is 5 s, a third of every other wait in the suite; on a loaded machine a live update
        // (write, commit, fan-out, render) can take longer, and these assertions only wait, so a longer bound costs a
        // passing test nothing.
        Assertions.SetDefaultExpectTimeout((float)Switchboard.Testing.TestTimeouts.Default.TotalMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
            Timeout = (float)Switchboard.Testing.TestTimeouts.Long.TotalMilliseconds,
        });
    }

    /// <summary>A fresh, isolated browser context (own cookies, cache and color scheme).</summary>
    public Task<IBrowserContext> NewContextAsync(ColorScheme scheme = ColorScheme.Light, int width = 1440, int height = 900) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ColorScheme = scheme,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
        });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
