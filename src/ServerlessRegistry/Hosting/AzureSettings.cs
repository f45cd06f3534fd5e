namespace ServerlessRegistry.Hosting;

/// <summary>
/// Every configuration key the program reads when it runs in Azure, in one place, so a test can check that the
/// Bicep app settings (infra/app/function.bicep) set each one. Keys use ':'; app settings spell them with '__'.
/// Keys the Functions host itself provides (FUNCTIONS_CUSTOMHANDLER_PORT) are not app settings and are not listed.
/// </summary>
internal static class AzureSettings
{
    /// <summary>The public base URL (scheme://host) for Location values and the token realm; empty → https://{WEBSITE_HOSTNAME} (<see cref="PublicUrlSetting"/>).</summary>
    public const string PublicUrl = "Registry:PublicUrl";

    /// <summary>Set by the Functions host to the port it proxies to; its presence means "running under the host".</summary>
    public const string CustomHandlerPort = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// The largest single request body (one PATCH of a whole layer, as docker sends it) the deployment accepts:
    /// the Bicep app setting FUNCTIONS_REQUEST_BODY_SIZE_LIMIT carries this value. 10 GiB; the platform's 230 s
    /// response deadline means a single-PATCH push that size needs ≥ ~45 MiB/s (chunked pushes have no such bound).
    /// </summary>
    public const long LargestLayerBytes = 10L * 1024 * 1024 * 1024;

    /// <summary>A configuration key, and whether it holds a list (app settings then name its items Key__0, Key__1 …).</summary>
    internal sealed record Key(string Name, bool IsList = false, bool Required = true)
    {
        /// <summary>The app-setting (environment variable) spelling of the key or, for a list, of its first item.</summary>
        public string AppSetting => Name.Replace(":", "__", StringComparison.Ordinal) + (IsList ? "__0" : "");
    }

    /// <summary>What the registry reads in Azure. Optional keys may be empty, but the Bicep still sets them, so each is visible.</summary>
    public static readonly IReadOnlyList<Key> Keys =
    [
        new($"Storage:{nameof(StorageSettings.AccountName)}"),
        new($"Storage:{nameof(StorageSettings.Prefix)}"),
        new(PublicUrl, Required: false),
        new("Auth:Enabled"),
        new("Auth:Entra:TenantIds", IsList: true),
        new("Auth:Entra:Audiences", IsList: true),
        new("Auth:AnonymousPullPrefixes", Required: false),
    ];

    /// <summary>Keys the program must never find in Azure: shared-key access is off on the account.</summary>
    public static readonly IReadOnlyList<string> Forbidden = [$"Storage:{nameof(StorageSettings.AccountKey)}"];

    /// <summary>Whether the program runs as the Functions host's custom handler.</summary>
    public static bool UnderFunctionsHost(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[CustomHandlerPort]);
}
