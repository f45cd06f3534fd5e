namespace ServerlessRegistry.Hosting;

/// <summary>
/// The registry's public base URL (scheme://host/), the base of the token realm and of absolute Location values.
/// Read once at start; no I/O.
/// </summary>
/// <remarks>
/// Registry:PublicUrl when set (a custom domain). Otherwise, in Azure (WEBSITE_SITE_NAME set), https://{WEBSITE_HOSTNAME}:
/// the platform sets that on every site to the default host name, and nothing a client sends can change it. Outside
/// Azure (local, tests, a local Functions host) null: the realm then follows the request, whose forwarded headers are
/// trusted only from the loopback proxy.
/// </remarks>
internal static class PublicUrlSetting
{
    /// <summary>Set by the platform on every App Service and Functions site.</summary>
    public const string SiteName = "WEBSITE_SITE_NAME";

    /// <summary>Set by the platform to the site's default host name (e.g. reg.azurewebsites.net).</summary>
    public const string SiteHostName = "WEBSITE_HOSTNAME";

    public static bool InAzure(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[SiteName]);

    /// <summary>The public URL, or null when none is configured and none can be derived; throws for a malformed value.</summary>
    public static Uri? Resolve(IConfiguration configuration)
    {
        if (configuration[AzureSettings.PublicUrl] is { Length: > 0 } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
                || url.AbsolutePath != "/" || url.Query.Length > 0)
            {
                throw new InvalidOperationException($"{AzureSettings.PublicUrl} must be an absolute http(s) URL with no path, e.g. https://registry.example.com; got '{text}'.");
            }

            return url;
        }

        return InAzure(configuration) && configuration[SiteHostName] is { Length: > 0 } host
            && Uri.TryCreate("https://" + host + "/", UriKind.Absolute, out var derived) && derived.AbsolutePath == "/"
            ? derived
            : null;
    }
}
