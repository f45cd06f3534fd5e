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

    public DateTimeOffset Now { get; } = time.GetUtcNow();
    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary>The registry's public host (Registry:PublicUrl, applied to the request before front ends run, else the request's Host).</summary>
    public string Host => Context.Request.Host.Value ?? "localhost";

    /// <summary>This page's own path and query, for a sign-in link that comes back here.</summary>
    public string LocalUrl => Context.Request.Path.Value + Context.Request.QueryString.Value;

    public string? Query(string key) => Context.Request.Query[key] is { Count: > 0 } values ? values[0] : null;

    /// <summary>The hidden anti-forgery field for a form on this page (sets its cookie, so call before the response starts).</summary>
    public Html.Html AntiforgeryField() =>
        Html.Html.Of($"<input type=\"hidden\" name=\"{WebSession.AntiforgeryField}\" value=\"{Session.AntiforgeryToken(Context)}\">");

    /// <summary>The posted form's value for <paramref name="key"/>, or null; the form is read once and cached by ASP.NET.</summary>
    public async Task<string?> FormAsync(string key)
    {
        var form = await Context.Request.ReadFormAsync(Aborted);
        return form[key] is { Count: > 0 } values ? values[0] : null;
    }

    public async Task<IReadOnlyList<string>> FormValuesAsync(string key)
    {
        var form = await Context.Request.ReadFormAsync(Aborted);
        return [.. form[key].Where(v => v is not null).Select(v => v!)];
    }

    /// <summary>Refuses a POST without a valid anti-forgery token (400 page).</summary>
    public async Task RequireValidPostAsync()
    {
        if (!Context.Request.HasFormContentType || !await Session.IsValidPostAsync(Context))
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

    public Task PageAsync(string title, Html.Html body, int status = StatusCodes.Status200OK, Html.Html? heading = null) =>
        WebResponse.WritePageAsync(Context, status, Layout.Page(this, title, body, heading));
}
