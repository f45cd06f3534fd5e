namespace ServerlessRegistry.Hosting;

/// <summary>
/// The registry's public base URL (scheme://host/), the base of the token realm and of absolute Location values.
/// The one place that reads and parses Registry:PublicUrl; no I/O.
/// </summary>
/// <remarks>
/// Registry:PublicUrl when set (a custom domain). Otherwise, in Azure (WEBSITE_SITE_NAME set), https://{WEBSITE_HOSTNAME}:
/// the platform sets that on every site to the default host name, and nothing a client sends can change it. Outside
/// Azure (local, tests, a local Functions host) null: the realm then follows the request, whose forwarded headers are
/// trusted only from the loopback proxy.
/// </remarks>
internal static class PublicUrlSetting
{
    /// <summary>Set by the platform to the site's default host name (e.g. reg.azurewebsites.net).</summary>
    public const string SiteHostName = "WEBSITE_HOSTNAME";

    /// <summary>The public URL, or null when none is configured and none can be derived; throws for a malformed value.</summary>
    public static Uri? Resolve(IConfiguration configuration) =>
        TryResolve(configuration, out var url, out var error) ? url : throw new InvalidOperationException(error);

    /// <summary>False, with a one-line reason, when Registry:PublicUrl is set but is no absolute http(s) URL without a path.</summary>
    public static bool TryResolve(IConfiguration configuration, out Uri? url, out string? error)
    {
        error = null;
        if (configuration[AzureSettings.PublicUrl] is { Length: > 0 } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("https" or "http")
                || url.AbsolutePath != "/" || url.Query.Length > 0)
            {
                url = null;
                error = $"{AzureSettings.PublicUrl} must be an absolute http(s) URL with no path, e.g. https://registry.example.com; got '{text}'.";
                return false;
            }

            return true;
        }

        url = AzureSettings.RunsInAzure(configuration) && configuration[SiteHostName] is { Length: > 0 } host
            && Uri.TryCreate("https://" + host + "/", UriKind.Absolute, out var derived) && derived.AbsolutePath == "/"
            ? derived
            : null;
        return true;
    }
}

/// <summary>Registry:PublicUrl as parsed once by <see cref="PublicUrlSetting"/>; checked when the host starts.</summary>
internal sealed class PublicUrlOptions
{
    /// <summary>The public base URL, or null when requests name it themselves.</summary>
    public Uri? Url { get; set; }

    /// <summary>Why the configured value was refused, or null.</summary>
    public string? Error { get; set; }
}
