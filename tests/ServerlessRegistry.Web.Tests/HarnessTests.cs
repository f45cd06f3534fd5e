using Microsoft.Playwright;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>The parts the page tests stand on: Chromium from Debian driven offline, a real server, screenshots on disk.</summary>
[Collection(WebCollection.Name)]
public sealed class HarnessTests(WebBrowser browser)
{
    [Fact]
    public async Task BrowserReachesTheServerAndSavesAScreenshot()
    {
        await using var server = await RegistryServer.StartAsync();
        await using var context = await browser.NewContextAsync(server.BaseAddress);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync("/v2/");
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Contains("/usr/bin/chromium", WebBrowser.ChromiumPath, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(browser.Browser.Version));

        // Whatever "/" answers today, the run keeps a picture of it.
        await page.GotoAsync("/");
        await WebBrowser.ScreenshotAsync(page, nameof(BrowserReachesTheServerAndSavesAScreenshot), "root");
        var file = RepoRoot.Combine("artifacts", "screenshots", $"{nameof(BrowserReachesTheServerAndSavesAScreenshot)}-root.png");
        Assert.True(new FileInfo(file).Length > 0, file);
    }

    [Fact]
    public async Task JavaScriptOffContextRunsNoScript()
    {
        await using var context = await browser.NewContextAsync(new Uri("http://127.0.0.1/"), javaScript: false);
        var page = await context.NewPageAsync();
        await page.SetContentAsync("<html lang=\"en\"><body><p id=\"p\">off</p><script>document.getElementById('p').textContent = 'on'</script></body></html>");
        await Assertions.Expect(page.Locator("#p")).ToHaveTextAsync("off");
    }

    /// <summary>The copy-button path the pull-command test relies on: a granted clipboard can be written by a click and read back.</summary>
    [Fact]
    public async Task GrantedClipboardReadsBackWhatAButtonCopied()
    {
        var origin = new Uri("http://127.0.0.1:9/");
        await using var context = await browser.NewContextAsync(origin);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = "http://127.0.0.1:9" });
        var page = await context.NewPageAsync();
        await page.RouteAsync("http://127.0.0.1:9/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<html lang=\"en\"><body><button class=\"copy\" data-copy=\"podman pull example/app:1\">Copy</button>"
                + "<script>document.querySelector('.copy').addEventListener('click', e => navigator.clipboard.writeText(e.target.dataset.copy))</script></body></html>",
        }));
        await page.GotoAsync("/");
        await page.Locator("button.copy").ClickAsync();
        Assert.Equal("podman pull example/app:1", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
    }

    /// <summary>The accessibility check runs offline from the package and does fail on a serious violation.</summary>
    [Fact]
    public async Task AccessibilityScanFindsAMissingLabel()
    {
        await using var context = await browser.NewContextAsync(new Uri("http://127.0.0.1/"));
        var page = await context.NewPageAsync();
        const string head = "<!doctype html><html lang=\"en\"><head><title>t</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>";
        await page.SetContentAsync(head + "<body><main><h1>Clean</h1><label for=\"q\">Filter</label><input id=\"q\" name=\"q\"></main></body></html>");
        await Pages.AssertAccessibleAsync(page, "clean page");

        await page.SetContentAsync(head + "<body><main><h1>Broken</h1><input name=\"q\"><img src=\"x.png\"></main></body></html>");
        var failure = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => Pages.AssertAccessibleAsync(page, "broken page"));
        Assert.Contains("label", failure.Message, StringComparison.Ordinal);
    }
}
