using System.ComponentModel;

namespace ServerlessRegistry.Mirror;

/// <summary>Where a cache rule comes from.</summary>
internal enum CacheRuleSource
{
    /// <summary>Mirror:Rules:N in settings: read-only here, named settings-N.</summary>
    Settings,

    /// <summary>The mirror's table, written through the admin API or apply.</summary>
    Stored,
}

/// <summary>A stored cache rule as PUT /cache-rules/{name} and apply take it (the name is in the path or the document's key).</summary>
[Description("A stored cache rule: the local repository or prefix it serves and the upstream it reads through. Credentials are never stored in Table storage: " +
    "passwordSetting names a configuration key under Mirror:Secrets: (an app setting Mirror__Secrets__<name>; in Azure a Key Vault reference) that holds the upstream " +
    "password or token, read from the configuration of each instance when it loads the rule; no other key is read. The upstream must be https (http only to a loopback host). A rule is in effect on every instance within Mirror:RuleRefreshInterval (60 s by default).")]
internal sealed record CacheRuleSpec
{
    [Description("The local repository (hub/nginx) or prefix (docker.io/*) the rule serves. A local name a settings rule serves is refused (409).")]
    public required string Local { get; init; }

    [Description("The upstream registry and path: https://registry-1.docker.io/*, ghcr.io/* (https assumed), docker.io/library/nginx. Both sides end in /* or neither.")]
    public required string Upstream { get; init; }

    [Description("What containerd sends as ?ns= for this upstream; defaults to the upstream's host (docker.io for Docker Hub).")]
    public string? Namespace { get; init; }

    [Description("Upstream user name; set together with passwordSetting.")]
    public string? Username { get; init; }

    [Description("The name of the configuration key that holds the upstream password or token: Mirror:Secrets:<name> (letters, digits, '-', '_', '.'), e.g. Mirror:Secrets:hub, " +
        "the app setting Mirror__Secrets__hub (a Key Vault reference in Azure). Any other key is refused. Never the secret itself.")]
    public string? PasswordSetting { get; init; }

    [Description("How long a pulled tag is served without asking the upstream again: 30s, 5m, 1h (default 5m, at most 1d).")]
    public string? TagCheckInterval { get; init; }

    [Description("How long the upstream may take to answer before the cache answers alone: 10s (default), 1m; at most 10m.")]
    public string? Timeout { get; init; }
}

/// <summary>One cache rule as the admin API shows it: never a secret.</summary>
[Description("A cache rule from settings (read-only, named settings-N by its index in Mirror:Rules) or stored. Never shows a secret.")]
internal sealed record CacheRuleView(
    string Name,
    CacheRuleSource Source,
    [property: Description("The local repository or prefix, normalized (docker.io/*).")] string Local,
    [property: Description("The upstream, normalized (https://registry-1.docker.io/*).")] string Upstream,
    [property: Description("What containerd sends as ?ns= for this upstream.")] string Namespace,
    [property: Description("Whether this instance has a password for the rule (in settings, or in the Mirror:Secrets: key passwordSetting names).")] bool HasPassword,
    [property: Description("How long a pulled tag is served without asking the upstream again.")] string TagCheckInterval,
    [property: Description("How long the upstream may take to answer before the cache answers alone.")] string Timeout)
{
    [Description("Upstream user name, when the rule has credentials.")]
    public string? Username { get; init; }

    [Description("Stored rules: the configuration key that holds the password (never the password).")]
    public string? PasswordSetting { get; init; }

    [Description("True when another rule serves the same local name and this one is not in effect: a settings rule (settings win, e.g. one added to settings later) or, after two concurrent writes, a stored rule earlier by name.")]
    public bool? Shadowed { get; init; }

    [Description("With check=true: whether the upstream answers and accepts the rule's credentials.")]
    public CacheRuleCheckView? Check { get; init; }
}

/// <summary>What asking a rule's upstream found.</summary>
[Description("What asking the upstream's /v2/ found: ok when it is reachable and takes the rule's credentials (or anonymous access).")]
internal sealed record CacheRuleCheckView(bool Ok, bool Reachable, bool Authenticated, string Detail);
