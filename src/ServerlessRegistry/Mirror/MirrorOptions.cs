namespace ServerlessRegistry.Mirror;

/// <summary>
/// The "Mirror" settings section: the cache rules, pre-fetch list and eviction. Bound and checked at start
/// (<see cref="MirrorSetup"/>); an empty section turns the mirror off and costs nothing per request.
/// </summary>
internal sealed class MirrorOptions
{
    /// <summary>Mirror:Rules:N:…, one entry per local prefix; more can be stored through the admin API (<see cref="CacheRuleSet"/>).</summary>
    public List<CacheRuleSettings> Rules { get; set; } = [];

    /// <summary>Mirror:Prefetch:N:…, images kept warm by the pre-fetch command and timer.</summary>
    public List<PrefetchSettings> Prefetch { get; set; } = [];

    /// <summary>
    /// Cached manifests not pulled for this long are removed by garbage collection (their content follows once no
    /// repository references it, after the usual grace period). Zero keeps cached content for ever.
    /// </summary>
    public TimeSpan EvictUnpulledAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How often each instance re-reads the stored cache rules (written through the admin API): a stored rule is in
    /// effect everywhere within this. 0 to 1 hour; 0 re-reads on every request through the mirror (for tests).
    /// </summary>
    public TimeSpan RuleRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>One cache rule as configured.</summary>
internal sealed class CacheRuleSettings
{
    /// <summary>The local repository (<c>hub/nginx</c>) or prefix (<c>docker.io/*</c>) that the rule serves.</summary>
    public string Local { get; set; } = "";

    /// <summary>
    /// The upstream registry and path: <c>https://registry-1.docker.io/*</c>, <c>ghcr.io/*</c> (https is assumed),
    /// <c>docker.io/library/nginx</c>. A prefix rule (<c>/*</c>) maps to a prefix, an exact rule to one repository.
    /// <c>docker.io</c> means Docker Hub's registry host.
    /// </summary>
    public string Upstream { get; set; } = "";

    /// <summary>The upstream name containerd sends as <c>?ns=</c>; defaults to the upstream's host (docker.io for Docker Hub).</summary>
    public string? Namespace { get; set; }

    /// <summary>Upstream user name; with <see cref="Password"/>, used for the upstream's basic or token auth.</summary>
    public string? Username { get; set; }

    /// <summary>Upstream password or token. From settings only (a Key Vault reference in Azure); never logged or stored.</summary>
    public string? Password { get; set; }

    /// <summary>How long a pulled tag is served without asking the upstream again.</summary>
    public TimeSpan TagCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the upstream may take to answer a manifest or HEAD request (and to start a blob) before the cache answers alone.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>One pre-fetch entry: a local repository under a cache rule and the tags to keep warm.</summary>
internal sealed class PrefetchSettings
{
    /// <summary>A local repository under a cache rule, e.g. <c>docker.io/library/alpine</c>.</summary>
    public string Repository { get; set; } = "";

    /// <summary>Tag patterns (<c>*</c> matches any run of characters): <c>3.20</c>, <c>3.*</c>, <c>latest</c>.</summary>
    public List<string> Tags { get; set; } = [];
}
