using System.Text.Json;
using Deque.AxeCore.Commons;
using Microsoft.Playwright;

namespace ServerlessRegistry.Web.Tests;

/// <summary>What every page promises (status, lang, one h1, main, viewport), and the steps several tests share.</summary>
public static class Pages
{
    private static readonly Lazy<string> AxeSource = new(() => new BundledAxeScriptProvider().GetScript());

    // The WCAG 2.1 A and AA rules only: the best-practice rules double the scan's time and gate nothing here.
    private static readonly string[] WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    // resultTypes: only violations come back with every node; what passed is not detailed, as nothing reads it.
    private const string AxeRun = """
        async tags => {
          const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
          return result.violations.map(v => ({ id: v.id, impact: v.impact ?? '', help: v.help, nodes: v.nodes.map(n => n.html) }));
        }
        """;

    /// <summary>Opens <paramref name="path"/>, asserts the status and the markup every page carries.</summary>
    public static async Task<IResponse> OpenAsync(IPage page, string path, int status)
    {
        var response = await page.GotoAsync(path) ?? throw new InvalidOperationException("no response for " + path);
        Assert.True(response.Status == status, $"GET {path}: {response.Status}, expected {status}\n{await SafeTextAsync(response)}");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("main")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("meta[name='viewport']")).ToHaveAttributeAsync("content", "width=device-width, initial-scale=1");
        return response;
    }

    /// <summary>
    /// Polls, for 30 s, until the page's address satisfies <paramref name="done"/> and that page has loaded. WaitForURLAsync
    /// is not used: it can miss a navigation that lands while it sets up its listener, and then times out on the very page
    /// it waited for. On a timeout the failure names <paramref name="what"/>, the page it stopped on, its text and
    /// <paramref name="explain"/>'s.
    /// </summary>
    public static async Task WaitForAddressAsync(IPage page, Func<Uri, bool> done, string what, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done(new Uri(page.Url)) || await ReadyStateAsync(page) != "complete")
        {
            if (DateTime.UtcNow > deadline)
            {
                var main = await page.Locator("main").AllInnerTextsAsync();
                throw new TimeoutException($"Timed out waiting for {what}: the page is at {page.Url}: {string.Join(" ", main)}\n{explain?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>document.readyState, or null while a navigation replaces the document.</summary>
    private static async Task<string?> ReadyStateAsync(IPage page)
    {
        try
        {
            return await page.EvaluateAsync<string>("() => document.readyState");
        }
        catch (PlaywrightException)
        {
            return null;
        }
    }

    /// <summary>From the repository page: follows the tag's delete link, confirms, and lands back on the repository page without the tag.</summary>
    public static async Task DeleteTagAsync(IPage page, string repository, string tag, string test)
    {
        await OpenAsync(page, $"/r/{repository}", 200);
        await page.Locator($"#tags tr[data-tag='{tag}'] a[href='/r/{repository}/-/delete?tag={tag}']").ClickAsync();
        await WaitForAddressAsync(page, u => u.PathAndQuery == $"/r/{repository}/-/delete?tag={tag}", "the delete confirmation");
        var form = page.Locator($"form[method='post'][action='/r/{repository}/-/delete']");
        await Assertions.Expect(form.Locator("input[type='hidden'][name='tag']")).ToHaveValueAsync(tag);
        await Assertions.Expect(form.Locator("input[type='hidden'][name='__RequestVerificationToken']")).ToHaveCountAsync(1);
        await WebBrowser.ScreenshotAsync(page, test, "delete-confirmation");
        await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Delete" }).ClickAsync();
        await WaitForAddressAsync(page, u => u.AbsolutePath == $"/r/{repository}", "the repository page");
        await Assertions.Expect(page.Locator($"#tags tr[data-tag='{tag}']")).ToHaveCountAsync(0);
    }

    /// <summary>An axe-core scan of the page as it is: no serious or critical violation.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        // axe-core (the copy the Deque package bundles) runs once, in the page. The package's RunAxe runs it in parts and
        // finishes in a second, blank page of a new context, which injects axe twice and takes about four times as long.
        await page.EvaluateAsync("() => {" + AxeSource.Value + "\n}");
        var violations = await page.EvaluateAsync<JsonElement>(AxeRun, WcagTags);
        var bad = violations.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{what}: " + string.Join("; ", bad.Select(v =>
            $"{v.GetProperty("id")} ({v.GetProperty("impact")}): {v.GetProperty("help")} at {string.Join(", ", v.GetProperty("nodes").EnumerateArray())}")));
    }

    private static async Task<string> SafeTextAsync(IResponse response)
    {
        try
        {
            var text = await response.TextAsync();
            return text.Length > 2000 ? text[..2000] : text;
        }
        catch (PlaywrightException e)
        {
            return e.Message;
        }
    }
}
