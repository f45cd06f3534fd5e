using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// Checks Events:Replication at start: one line naming the key for the first mistake (a missing or repeated name, a
/// missing or unusable destination URL, no repository pattern, a bad pattern or namespace, a username without a password).
/// </summary>
internal sealed class ReplicationOptionsCheck : IValidateOptions<EventsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var problem = Problem(options.Replication);
        return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
    }

    /// <summary>Why the rules cannot be used, or null.</summary>
    public static string? Problem(IReadOnlyList<ReplicationOptions> rules)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var key = $"Events:Replication:{i}";
            if (RuleProblem(rule, key) is { } problem)
            {
                return problem;
            }

            if (!names.Add(rule.Name))
            {
                return $"{key}:Name '{rule.Name}' is used by another replication rule; names must be unique.";
            }
        }

        return null;
    }

    private static string? RuleProblem(ReplicationOptions rule, string key)
    {
        if (string.IsNullOrWhiteSpace(rule.Name))
        {
            return $"{key}:Name is required (it names the destination as replication:{{Name}}).";
        }

        if (!rule.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return $"{key}:Name '{rule.Name}' may hold only letters, digits, '.', '_' and '-'.";
        }

        if (rule.Destination is not { IsAbsoluteUri: true } url || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
        {
            return $"{key}:Destination must be the destination registry's URL, like https://registry.example.com (got '{rule.Destination}').";
        }

        if (url.Scheme == "http" && !Remote.RemoteUrls.IsLoopback(url))
        {
            return $"{key}:Destination {url.GetLeftPart(UriPartial.Authority)} must use https (http is allowed only on loopback).";
        }

        if (url.AbsolutePath is not ("/" or "") || url.Query.Length > 0 || !string.IsNullOrEmpty(url.UserInfo))
        {
            return $"{key}:Destination must be the registry's base URL without path, query or user info (give credentials in Username and Password).";
        }

        if (rule.Repositories.Count == 0)
        {
            return $"{key}:Repositories must list at least one repository pattern (like team/** or **).";
        }

        foreach (var pattern in rule.Repositories.Concat(rule.Tags))
        {
            if (Pattern.Check(pattern) is { } why)
            {
                return $"{key}:{(rule.Repositories.Contains(pattern) ? "Repositories" : "Tags")}: {why}.";
            }
        }

        var ns = rule.Namespace.Trim('/');
        if (ns.Length > 0 && !Names.IsValidRepository(ns))
        {
            return $"{key}:Namespace '{rule.Namespace}' is not a repository name prefix (lower-case letters, digits, '.', '_', '-' and '/').";
        }

        if (rule.Timeout <= TimeSpan.Zero || rule.Timeout > ReplicationOptions.MaxTimeout)
        {
            return $"{key}:Timeout must be positive and at most {ReplicationOptions.MaxTimeout} (the queue function's own limit is 30 minutes); got {rule.Timeout}.";
        }

        if (!string.IsNullOrEmpty(rule.Username) && string.IsNullOrEmpty(rule.Password))
        {
            return $"{key}:Username is set without a Password.";
        }

        if (string.IsNullOrEmpty(rule.Username) && !string.IsNullOrEmpty(rule.Password))
        {
            return $"{key}:Password is set without a Username.";
        }

        return null;
    }
}
