namespace ServerlessRegistry.Web.Html;

/// <summary>
/// The page shell every page shares: skip link, header (product name, navigation, sign-in state), one main with the
/// page's single h1, footer. Assets come from <see cref="StaticAssets"/> with their content hash in the URL.
/// </summary>
internal static class Layout
{
    public const string ProductName = "ServerlessRegistry";

    /// <summary>A whole document. <paramref name="body"/> must not contain an h1: the layout writes the title as the one h1 unless <paramref name="heading"/> replaces it.</summary>
    public static Html Page(WebRequest request, string title, Html body, Html? heading = null) => Html.Of($"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{title} · {ProductName}</title>
        <link rel="stylesheet" href="{StaticAssets.Url("site.css")}">
        <script src="{StaticAssets.Url("copy.js")}" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site">
        <a class="brand" href="/">{ProductName}</a>
        <nav aria-label="Main">
        <ul>{Nav(request)}</ul>
        </nav>
        <div class="viewer">{Viewer(request)}</div>
        </header>
        <main id="main" tabindex="-1">
        <h1>{heading ?? Html.Of($"{title}")}</h1>
        {body}
        </main>
        <footer class="site"><p>{ProductName} · an OCI registry on Azure Storage · <a href="/v2/">API</a></p></footer>
        </body>
        </html>
        """);

    private static Html Nav(WebRequest request)
    {
        var path = request.Context.Request.Path.Value ?? "/";
        var items = new List<(string Href, string Text)> { ("/", "Repositories") };
        if (request.Viewer.IsAdmin)
        {
            items.Add(("/tokens", "Tokens"));
            items.Add(("/usage", "Usage"));
        }

        return Html.Join(items, item =>
        {
            var current = item.Href == "/" ? path == "/" || path.StartsWith("/r/", StringComparison.Ordinal) : path.StartsWith(item.Href, StringComparison.Ordinal);
            return Html.Of($"<li><a href=\"{item.Href}\"{(current ? Html.Raw(" aria-current=\"page\"") : Html.Empty)}>{item.Text}</a></li>");
        });
    }

    private static Html Viewer(WebRequest request)
    {
        var viewer = request.Viewer;
        if (!viewer.SignedIn)
        {
            // Only auth being off makes an anonymous viewer an admin: there is nothing to sign in to.
            return viewer.IsAdmin
                ? Html.Of($"<span class=\"who\">Open registry: sign-in is off</span>")
                : Html.Of($"<a href=\"{SignInHref(request.LocalUrl)}\">Sign in</a>");
        }

        return Html.Of($"""
            <span class="who">Signed in as <strong>{viewer.DisplayName ?? viewer.Subject}</strong></span>
            <form method="post" action="/signout" class="inline">{request.AntiforgeryField()}<button type="submit">Sign out</button></form>
            """);
    }

    public static string SignInHref(string returnUrl) => "/signin?returnUrl=" + Show.Query(returnUrl);

    /// <summary>A notice box: role=alert for errors so screen readers announce them, role=status otherwise.</summary>
    public static Html Notice(string text, bool error = false) =>
        Html.Of($"<p class=\"notice{(error ? " error" : "")}\" role=\"{(error ? "alert" : "status")}\">{text}</p>");
}
