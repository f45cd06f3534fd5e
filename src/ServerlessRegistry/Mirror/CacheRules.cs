using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Mirror;

/// <summary>A checked cache rule: which local repositories it serves and where their content comes from.</summary>
/// <param name="Local">The local repository (exact rule) or prefix without "/*" (prefix rule).</param>
/// <param name="IsPrefix">True for <c>prefix/*</c> rules.</param>
/// <param name="Registry">The upstream's base address: scheme, host and port only.</param>
/// <param name="Path">The upstream repository (exact rule) or prefix ("" for the upstream's root).</param>
/// <param name="Namespace">What containerd sends as <c>?ns=</c> for this upstream.</param>
/// <param name="OfficialImages">Docker Hub: a one-segment name means <c>library/name</c>.</param>
internal sealed record CacheRule(
    string Local, bool IsPrefix, Uri Registry, string Path, string Namespace, bool OfficialImages,
    string? Username, string? Password, TimeSpan TagCheckInterval, TimeSpan Timeout)
{
    /// <summary>Docker Hub's registry host; "docker.io" in a rule means it.</summary>
    public const string DockerHubHost = "registry-1.docker.io";

    public bool HasCredentials => Username is not null;

    /// <summary>The local side as written in a rule: <c>docker.io/*</c> or <c>hub/nginx</c>.</summary>
    public string LocalPattern => IsPrefix ? Local + "/*" : Local;

    /// <summary>The upstream side, normalized: <c>https://registry-1.docker.io/*</c>.</summary>
    public string UpstreamPattern => Registry.GetLeftPart(UriPartial.Authority) + "/" + (IsPrefix ? (Path.Length == 0 ? "*" : Path + "/*") : Path);

    /// <summary>The rule as configured, without its secret (for the CLI and logs).</summary>
    public override string ToString() => LocalPattern + " -> " + UpstreamPattern;
}

/// <summary>One repository under a rule: the rule and the repository's name on the upstream.</summary>
internal readonly record struct UpstreamTarget(CacheRule Rule, string Repository)
{
    public override string ToString() => Rule.Registry.Authority + "/" + Repository;
}

/// <summary>
/// A set of cache rules: the settings' (checked once at start) or those with the stored ones (<see cref="CacheRuleSet"/>). Answers which rule serves a repository (the longest matching prefix) and
/// maps containerd's <c>?ns=</c> to a local repository. Immutable and thread-safe.
/// </summary>
internal sealed class CacheRules
{
    private readonly CacheRule[] _byLength;

    private CacheRules(CacheRule[] rules) =>
        _byLength = [.. rules.OrderByDescending(r => r.Local.Length)];

    /// <summary>A set of rules checked already (by <see cref="ParseRule"/>), e.g. the settings' with the stored ones.</summary>
    public static CacheRules Of(IEnumerable<CacheRule> rules) => new([.. rules]);

    public static CacheRules None { get; } = new([]);

    public IReadOnlyList<CacheRule> All => _byLength;

    public bool IsEmpty => _byLength.Length == 0;

    /// <summary>The upstream repository behind a local one, or null when no rule serves it.</summary>
    public UpstreamTarget? Match(string repository)
    {
        foreach (var rule in _byLength)
        {
            if (!rule.IsPrefix)
            {
                if (repository == rule.Local)
                {
                    return new UpstreamTarget(rule, rule.Path);
                }

                continue;
            }

            if (repository.Length > rule.Local.Length + 1 && repository.StartsWith(rule.Local, StringComparison.Ordinal) && repository[rule.Local.Length] == '/')
            {
                var rest = repository[(rule.Local.Length + 1)..];
                var upstream = rule.Path.Length == 0 ? rest : rule.Path + "/" + rest;
                return new UpstreamTarget(rule, rule.OfficialImages && !upstream.Contains('/') ? "library/" + upstream : upstream);
            }
        }

        return null;
    }

    /// <summary>
    /// The local repository for a request that names an upstream with containerd's <c>?ns=</c>: the prefix of the
    /// prefix rule whose namespace is <paramref name="ns"/>, then the name. Unchanged when no rule has that namespace
    /// (a mirror of this registry itself, or an upstream we do not serve) or when the name already carries the prefix.
    /// </summary>
    public string MapNamespace(string? ns, string repository)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return repository;
        }

        foreach (var rule in _byLength)
        {
            if (rule.IsPrefix && string.Equals(rule.Namespace, ns, StringComparison.OrdinalIgnoreCase))
            {
                return repository.StartsWith(rule.Local + "/", StringComparison.Ordinal) ? repository : rule.Local + "/" + repository;
            }
        }

        return repository;
    }

    /// <summary>Checks and parses the configured rules; throws <see cref="ArgumentException"/> naming the setting at fault.</summary>
    public static CacheRules Parse(IReadOnlyList<CacheRuleSettings> settings)
    {
        var rules = new List<CacheRule>();
        for (var i = 0; i < settings.Count; i++)
        {
            var index = i;
            var rule = ParseRule(settings[i], field => $"Mirror:Rules:{index}:{field}");
            if (rules.FirstOrDefault(r => r.Local == rule.Local && r.IsPrefix == rule.IsPrefix) is { } twin)
            {
                throw new ArgumentException($"Mirror:Rules:{i}:Local '{settings[i].Local}' is already served by rule {twin}.");
            }

            rules.Add(rule);
        }

        return new CacheRules([.. rules]);
    }

    /// <summary>
    /// Checks and parses one rule; throws <see cref="ArgumentException"/> naming the field at fault as
    /// <paramref name="field"/> names it (a setting's key, or the admin API's property).
    /// </summary>
    public static CacheRule ParseRule(CacheRuleSettings s, Func<string, string> field)
    {
        var local = s.Local.Trim();
        var isPrefix = local.EndsWith("/*", StringComparison.Ordinal);
        var localName = isPrefix ? local[..^2] : local;
        if (!Names.IsValidRepository(localName))
        {
            throw new ArgumentException($"{field("Local")} '{s.Local}' must be a repository name, or a prefix ending in /* (like docker.io/*).");
        }

        var (registry, path, upstreamPrefix) = ParseUpstream(s.Upstream.Trim(), field("Upstream"));
        if (upstreamPrefix != isPrefix)
        {
            throw new ArgumentException($"{field("Local")} '{s.Local}' and {field("Upstream")} '{s.Upstream}' must both end in /* or neither.");
        }

        if (!isPrefix && path.Length == 0)
        {
            throw new ArgumentException($"{field("Upstream")} '{s.Upstream}' must name a repository (like docker.io/library/nginx) when Local names one.");
        }

        if (string.IsNullOrEmpty(s.Username) != string.IsNullOrEmpty(s.Password))
        {
            throw new ArgumentException($"{field("Username")} and {field("Password")} are set together or not at all.");
        }

        if (s.TagCheckInterval < TimeSpan.Zero || s.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{field("TagCheckInterval")} must not be negative and {field("Timeout")} must be positive.");
        }

        var dockerHub = registry.Host == CacheRule.DockerHubHost;
        var ns = string.IsNullOrWhiteSpace(s.Namespace) ? (dockerHub ? "docker.io" : registry.Authority) : s.Namespace.Trim();
        return new CacheRule(localName, isPrefix, registry, path, ns, dockerHub, NullIfEmpty(s.Username), NullIfEmpty(s.Password),
            s.TagCheckInterval, s.Timeout);
    }

    private static (Uri Registry, string Path, bool IsPrefix) ParseUpstream(string upstream, string field)
    {
        var text = upstream.Contains("://", StringComparison.Ordinal) ? upstream : "https://" + upstream;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || uri.UserInfo.Length > 0)
        {
            throw new ArgumentException($"{field} '{WithoutUserInfo(upstream)}' must look like https://registry-1.docker.io/* or ghcr.io/owner/* (credentials go in Username and Password).");
        }

        var path = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        var isPrefix = path == "*" || path.EndsWith("/*", StringComparison.Ordinal);
        path = isPrefix ? path[..^1].TrimEnd('/') : path;
        if (path.Length > 0 && !Names.IsValidRepository(path))
        {
            throw new ArgumentException($"{field} '{upstream}': '{path}' is not a repository name.");
        }

        var host = uri.Host == "docker.io" ? CacheRule.DockerHubHost : uri.Host;
        var registry = new UriBuilder(uri.Scheme, host, uri.IsDefaultPort ? -1 : uri.Port).Uri;
        return (registry, path, isPrefix);
    }

    /// <summary>The setting as shown in an error line: a password typed into the URL is never echoed.</summary>
    private static string WithoutUserInfo(string upstream)
    {
        var at = upstream.IndexOf('@', StringComparison.Ordinal);
        var scheme = upstream.IndexOf("://", StringComparison.Ordinal);
        return at < 0 ? upstream : (scheme >= 0 && scheme < at ? upstream[..(scheme + 3)] : "") + "…@" + upstream[(at + 1)..];
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
