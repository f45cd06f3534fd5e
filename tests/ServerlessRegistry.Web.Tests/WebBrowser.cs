using Microsoft.Playwright;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>
/// One headless Debian Chromium (/usr/bin/chromium) for the whole collection; each test opens its own context.
/// Playwright's .NET driver runs from the package (it bundles its node driver); no browser is ever downloaded.
/// </summary>
public sealed class WebBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    // The machine's network is closed: without these Chromium keeps trying its own services in the background.
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ChromiumPath}: run scripts/lib/ensure-clients.sh");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = Args });
    }

    /// <summary>A fresh context (own cookies) on <paramref name="baseAddress"/>, <paramref name="width"/> px wide.</summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseAddress, bool javaScript = true, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        // Assertions wait as long as actions: the suite runs two test projects at once on a small machine, and a page
        // that answers in a second alone can take several beside a build or another browser.
        Assertions.SetDefaultExpectTimeout(15_000);
        return context;
    }

    /// <summary>Saves a full-page screenshot to artifacts/screenshots/{test}-{page}.png (gitignored, kept for review).</summary>
    public static async Task ScreenshotAsync(IPage page, string test, string name)
    {
        var folder = RepoRoot.Combine("artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{test}-{name}.png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebBrowser>
{
    public const string Name = "web";
}

/// <summary>The signed-in tests, with a browser of their own, run beside the others: each side mostly waits on its own server and browser.</summary>
[CollectionDefinition(Name)]
public sealed class SignInCollection : ICollectionFixture<WebBrowser>
{
    public const string Name = "web-signin";
}
