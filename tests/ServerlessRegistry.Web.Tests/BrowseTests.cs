using System.Text.Json;
using Microsoft.Playwright;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>Repositories → repository → manifest pages with auth off, as a visitor browses them.</summary>
[Collection(WebCollection.Name)]
public sealed class BrowseTests(WebBrowser browser, SampleRegistry registry) : IClassFixture<SampleRegistry>
{
    private string Repo => registry.App.Repository;

    [Fact]
    public async Task RepositoriesPageLinksToTheRepositoryPage()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, "/", 200);
        var row = page.Locator($"#repositories tr[data-repository='{Repo}']");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#login-command")).ToHaveTextAsync($"docker login {registry.Server.HostPort}");
        await Assertions.Expect(page.GetByLabel("Filter repositories")).ToBeVisibleAsync();
        await WebBrowser.ScreenshotAsync(page, nameof(RepositoriesPageLinksToTheRepositoryPage), "repositories");

        await row.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = Repo, Exact = true }).ClickAsync();
        await Pages.WaitForAddressAsync(page, u => u.AbsolutePath == $"/r/{Repo}", "the repository page");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(Repo);
    }

    [Fact]
    public async Task FilterNarrowsTheRepositories()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress, javaScript: false);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, "/", 200);
        var search = page.Locator("form[role='search'][method='get'][action='/']");
        await search.GetByLabel("Filter repositories").FillAsync("deletable");
        await search.Locator("input#q").PressAsync("Enter");
        await Pages.WaitForAddressAsync(page, u => u.AbsolutePath == "/" && u.Query.StartsWith("?q=deletable", StringComparison.Ordinal), "the filtered list");
        var listed = await page.Locator("#repositories tr[data-repository]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.repository)");
        Assert.Equal([SampleRegistry.Deletable], listed);
    }

    [Fact]
    public async Task TagsArePagedByHundred()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, $"/r/{SampleRegistry.Many}", 200);
        await Assertions.Expect(page.Locator("#tags tr[data-tag]")).ToHaveCountAsync(100);
        var first = await page.Locator("#tags tr[data-tag]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.tag)");
        await Pages.OpenAsync(page, $"/r/{SampleRegistry.Many}?page=2", 200);
        var second = await page.Locator("#tags tr[data-tag]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.tag)");
        Assert.Single(second);
        Assert.Equal(SampleRegistry.ManyTags, first.Concat(second).Distinct().Count());
    }

    [Fact]
    public async Task RepositoryPageShowsTagsPlatformsDescriptionAndSanitizedReadme()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, $"/r/{Repo}", 200);
        await WebBrowser.ScreenshotAsync(page, nameof(RepositoryPageShowsTagsPlatformsDescriptionAndSanitizedReadme), "repository");

        var tags = await page.Locator("#tags tr[data-tag]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.tag)");
        Assert.Equal([SampleImages.Tag, SampleImages.OlderTag], tags);
        var newest = page.Locator($"#tags tr[data-tag='{SampleImages.Tag}']");
        await Assertions.Expect(newest.Locator("td.platforms")).ToHaveTextAsync(SampleImages.Platforms);
        Assert.Matches(@"\d", await newest.Locator("td.size").InnerTextAsync());
        await Assertions.Expect(newest.Locator("time[datetime]")).ToHaveCountAsync(1);
        var shortDigest = newest.GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = registry.App.IndexDigest[..19], Exact = true });
        await Assertions.Expect(shortDigest).ToHaveAttributeAsync("href", $"/r/{Repo}/-/manifest/{registry.App.IndexDigest}");
        await Assertions.Expect(newest.Locator($"button.copy[data-copy='{registry.App.IndexDigest}']")).ToHaveCountAsync(1);

        await Assertions.Expect(page.Locator("#description")).ToHaveTextAsync(SampleImages.Description);
        await Assertions.Expect(page.Locator($"a[href='{SampleImages.Source}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"a[href='{SampleImages.Documentation}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(SampleImages.Licenses);

        var readme = page.Locator("article#readme");
        await Assertions.Expect(readme.GetByRole(AriaRole.Heading, new LocatorGetByRoleOptions { Name = SampleImages.ReadmeHeading })).ToBeVisibleAsync();
        await Assertions.Expect(readme.Locator("strong")).ToHaveTextAsync("bold");
        await Assertions.Expect(readme.Locator("script")).ToHaveCountAsync(0);
        await Assertions.Expect(readme.Locator("a[href^='javascript:' i]")).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.readmeScriptRan === undefined"), "the README's script ran");
        Assert.DoesNotContain("<script", await readme.InnerHTMLAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task IndexManifestPageListsChildrenAndReferrers()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, $"/r/{Repo}", 200);
        await page.Locator($"#tags tr[data-tag='{SampleImages.Tag}'] a[href$='/-/manifest/{registry.App.IndexDigest}']").ClickAsync();
        await Pages.WaitForAddressAsync(page, u => u.AbsolutePath == $"/r/{Repo}/-/manifest/{registry.App.IndexDigest}", "the index page");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(registry.App.IndexDigest);
        await WebBrowser.ScreenshotAsync(page, nameof(IndexManifestPageListsChildrenAndReferrers), "index");

        await Assertions.Expect(page.Locator("#children tr[data-digest]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#children tr[data-digest='{registry.App.AmdDigest}']")).ToContainTextAsync("linux/amd64");
        await Assertions.Expect(page.Locator($"#children tr[data-digest='{registry.App.ArmDigest}']")).ToContainTextAsync("linux/arm64/v8");
        var referrers = page.Locator("section#referrers");
        await Assertions.Expect(referrers.Locator("h3")).ToContainTextAsync(SampleImages.MarkdownType);
        await Assertions.Expect(referrers.Locator($"a[href='/r/{Repo}/-/manifest/{registry.App.ReadmeDigest}']")).ToHaveCountAsync(1);

        await page.Locator($"#children tr[data-digest='{registry.App.ArmDigest}'] a[href='/r/{Repo}/-/manifest/{registry.App.ArmDigest}']").ClickAsync();
        await Pages.WaitForAddressAsync(page, u => u.AbsolutePath.EndsWith($"/-/manifest/{registry.App.ArmDigest}", StringComparison.Ordinal), "the child manifest page");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(registry.App.ArmDigest);
        await Assertions.Expect(page.Locator("section#config dl")).ToHaveCountAsync(1);
        Assert.Contains("2024-01-01", await page.Locator("section#config").InnerHTMLAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#layers tbody tr, #layers tr:has(td)").First).ToContainTextAsync(OciLayoutBuilder.GzipLayerType);
        await WebBrowser.ScreenshotAsync(page, nameof(IndexManifestPageListsChildrenAndReferrers), "image");
    }

    [Fact]
    public async Task CopiedSkopeoCommandPullsTheImage()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = registry.Server.BaseAddress.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, $"/r/{Repo}", 200);
        var host = registry.Server.HostPort;
        await Assertions.Expect(page.Locator("#pull code[data-client='docker']")).ToHaveTextAsync($"docker pull {host}/{Repo}:{SampleImages.Tag}");
        await Assertions.Expect(page.Locator("#pull code[data-client='podman']")).ToHaveTextAsync($"podman pull {host}/{Repo}:{SampleImages.Tag}");
        await Assertions.Expect(page.Locator("#pull code[data-client='oras']")).ToHaveTextAsync($"oras pull {host}/{Repo}:{SampleImages.Tag}");
        await Assertions.Expect(page.Locator("#pull code[data-client='helm']")).ToHaveCountAsync(0);

        var skopeo = page.Locator("#pull code[data-client='skopeo']");
        var expected = $"skopeo copy docker://{host}/{Repo}:{SampleImages.Tag} oci:app:{SampleImages.Tag}";
        await Assertions.Expect(skopeo).ToHaveTextAsync(expected);
        var button = page.Locator($"#pull button.copy[data-copy='{expected}']");
        await button.ClickAsync();
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.Equal(expected, copied);

        await AssertCopyCommandPullsAsync(copied);
    }

    /// <summary>The sample set as the distribution API serves it: what the pages are expected to show.</summary>
    [Fact]
    public async Task SampleSetIsServedAsPushed()
    {
        var referrers = await registry.Server.Client.GetStringAsync($"/v2/{Repo}/referrers/{registry.App.IndexDigest}");
        using (var json = JsonDocument.Parse(referrers))
        {
            var readme = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(registry.App.ReadmeDigest, readme.GetProperty("digest").GetString());
            Assert.Equal(SampleImages.MarkdownType, readme.GetProperty("artifactType").GetString());
        }

        var index = await registry.Server.Client.GetStringAsync($"/v2/{Repo}/manifests/{SampleImages.Tag}");
        Assert.Contains("\"variant\":\"v8\"", index, StringComparison.Ordinal);
        Assert.Contains(SampleImages.Description, index, StringComparison.Ordinal);
        var deletable = await SampleRegistry.TagsAsync(registry.Server.Client, SampleRegistry.Deletable);
        Assert.Contains("keep", deletable);
        Assert.Contains("forged", deletable);
        await AssertCopyCommandPullsAsync($"skopeo copy docker://{registry.Server.HostPort}/{Repo}:{SampleImages.Tag} oci:app:{SampleImages.Tag}");
    }

    /// <summary>Runs a copied "skopeo copy docker://… oci:app:tag" into a scratch folder (plain HTTP needs the TLS switch) and checks the image arrived.</summary>
    private async Task AssertCopyCommandPullsAsync(string command)
    {
        var words = command.Split(' ');
        Assert.Equal(["skopeo", "copy"], words[..2]);
        var destination = Path.Combine(registry.Work, "pulled-" + Guid.NewGuid().ToString("N")[..8]);
        var target = words[3].Replace("oci:app:", $"oci:{destination}:", StringComparison.Ordinal);
        await registry.Sandbox.RunAsync("/usr/bin/skopeo", ["--policy", registry.Sandbox.PolicyPath, "copy", "--src-tls-verify=false", words[2], target]);
        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(destination, "index.json")));
        var pulled = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString();
        Assert.Contains(pulled, new[] { registry.App.AmdDigest, registry.App.ArmDigest });
        Assert.True(File.Exists(Path.Combine(destination, "blobs", "sha256", pulled![7..])), "the pulled manifest is in the layout");
    }

    [Fact]
    public async Task DeletesTagThroughConfirmationPage()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        var page = await context.NewPageAsync();
        await Pages.DeleteTagAsync(page, SampleRegistry.Deletable, "delete-me", nameof(DeletesTagThroughConfirmationPage));
        var tags = await SampleRegistry.TagsAsync(registry.Server.Client, SampleRegistry.Deletable);
        Assert.DoesNotContain("delete-me", tags);
        Assert.Contains("keep", tags);
    }

    [Fact]
    public async Task BrowsesAndDeletesWithJavaScriptOff()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress, javaScript: false);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, "/", 200);
        await page.Locator($"#repositories a[href='/r/{SampleRegistry.Deletable}']").ClickAsync();
        await Pages.WaitForAddressAsync(page, u => u.AbsolutePath == $"/r/{SampleRegistry.Deletable}", "the repository page");
        await Assertions.Expect(page.Locator("#tags tr[data-tag='keep']")).ToHaveCountAsync(1);
        await Pages.DeleteTagAsync(page, SampleRegistry.Deletable, "delete-nojs", nameof(BrowsesAndDeletesWithJavaScriptOff));
        Assert.DoesNotContain("delete-nojs", await SampleRegistry.TagsAsync(registry.Server.Client, SampleRegistry.Deletable));
    }

    [Fact]
    public async Task NarrowScreenHasNoHorizontalScroll()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress, width: 375);
        var page = await context.NewPageAsync();
        foreach (var (path, name) in new[] { ("/", "repositories-375"), ($"/r/{Repo}", "repository-375") })
        {
            await Pages.OpenAsync(page, path, 200);
            await WebBrowser.ScreenshotAsync(page, nameof(NarrowScreenHasNoHorizontalScroll), name);
            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]");
            Assert.True(widths[0] <= widths[2] && widths[1] <= widths[2], $"{path} overflows at 375 px: scroll widths {widths[0]}/{widths[1]}, viewport {widths[2]}");
        }
    }

    [Fact]
    public async Task EveryPageHasNoSeriousAccessibilityViolations()
    {
        await using var context = await browser.NewContextAsync(registry.Server.BaseAddress);
        (string Path, int Status)[] pages =
        [
            ("/", 200), ($"/r/{Repo}", 200), ($"/r/{Repo}/-/manifest/{registry.App.IndexDigest}", 200),
            ($"/r/{Repo}/-/manifest/{registry.App.AmdDigest}", 200),
            ($"/r/{SampleRegistry.Deletable}/-/delete?tag=keep", 200), ("/r/no/such-repository", 404),
        ];
        // One tab per page, scanned side by side: each scan is seconds of the browser's CPU, most of it injecting axe.
        await Task.WhenAll(pages.Select(async p =>
        {
            var page = await context.NewPageAsync();
            await Pages.OpenAsync(page, p.Path, p.Status);
            await Pages.AssertAccessibleAsync(page, p.Path);
        }));
    }
}
