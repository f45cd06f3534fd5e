using ServerlessRegistry.Web.Html;

namespace ServerlessRegistry.Web;

/// <summary>
/// One request to a page as its handler sees it: the context, the viewer, the route values parsed from the path, the
/// services and the clock. Lives for one request; not shared between threads.
/// </summary>
internal sealed class WebRequest(HttpContext context, WebViewer viewer, WebPath path, WebSession session, TimeProvider time)
{
    public HttpContext Context { get; } = context;
    public WebViewer Viewer { get; } = viewer;
    public WebSession Session { get; } = session;
    public IServiceProvider Services => Context.RequestServices;

    /// <summary>The repository name from /r/{name}, or "".</summary>
    public string Name { get; } = path.Name;

    /// <summary>The digest from /r/{name}/-/manifest/{digest}, or "".</summary>
    public string Digest { get; } = path.Digest;

    /// <summary>The clock read once per request, so every relative time on one page agrees ("3 hours ago").</summary>
    public DateTimeOffset Now { get; } = time.GetUtcNow();

    /// <summary>Cancelled when the client goes away; pass it to every storage call so an abandoned page stops reading.</summary>
    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary>The registry's public host (Registry:PublicUrl, applied to the request before front ends run, else the request's Host).</summary>
    public string Host => Context.Request.Host.Value ?? "localhost";

    /// <summary>This page's own path and query, for a sign-in link that comes back here.</summary>
    public string LocalUrl => Context.Request.Path.Value + Context.Request.QueryString.Value;

    /// <summary>The first query value for <paramref name="key"/>, or null; untrusted text, to be validated by the page.</summary>
    public string? Query(string key) => Context.Request.Query[key] is { Count: > 0 } values ? values[0] : null;

    /// <summary>The hidden anti-forgery field for a form on this page (sets its cookie, so call before the response starts).</summary>
    public Html.Html AntiforgeryField() =>
        Html.Html.Of($"<input type=\"hidden\" name=\"{WebSession.AntiforgeryField}\" value=\"{Session.AntiforgeryToken(Context)}\">");

    /// <summary>
    /// The posted form's value for <paramref name="key"/>, or null. The form is read once, within <see cref="WebForm"/>'s
    /// limits, and cached; call after <see cref="RequireValidPostAsync"/>.
    /// </summary>
    public async Task<string?> FormAsync(string key)
    {
        var form = await WebForm.ReadAsync(Context);
        return form[key] is { Count: > 0 } values ? values[0] : null;
    }

    /// <summary>Every posted value for <paramref name="key"/> (checkboxes, in form order); empty when none. Read as <see cref="FormAsync"/>.</summary>
    public async Task<IReadOnlyList<string>> FormValuesAsync(string key)
    {
        var form = await WebForm.ReadAsync(Context);
        return [.. form[key].Where(v => v is not null).Select(v => v!)];
    }

    /// <summary>
    /// Refuses a POST without a valid anti-forgery token (400 page), or whose form <see cref="WebForm"/> will not read
    /// (413 too large, 415 not url-encoded, 400 malformed).
    /// </summary>
    public async Task RequireValidPostAsync()
    {
        if (!await Session.IsValidPostAsync(Context))
        {
            throw WebFailure.BadForm();
        }
    }

    /// <summary>Refuses anyone who is not an admin (403 page).</summary>
    public void RequireAdmin()
    {
        if (!Viewer.IsAdmin)
        {
            throw WebFailure.Forbidden();
        }
    }

    /// <summary>Repositories the viewer may not pull do not exist for them (404, as for a missing one).</summary>
    public void RequirePull()
    {
        if (!Viewer.Can(Name, Auth.RegistryActions.Pull))
        {
            throw WebFailure.NotFound();
        }
    }

    /// <summary>
    /// Writes the whole page: <paramref name="body"/> inside the shared layout, with <paramref name="title"/> as the one
    /// h1 unless <paramref name="heading"/> replaces it. Call once, last; the response has started afterwards.
    /// </summary>
    public Task PageAsync(string title, Html.Html body, int status = StatusCodes.Status200OK, Html.Html? heading = null) =>
        WebResponse.WritePageAsync(Context, status, Layout.Page(this, title, body, heading));
}
