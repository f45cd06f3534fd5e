using System.Security.Cryptography;
using System.Text;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Policies;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>One repository's partition built by hand, with times relative to <see cref="Now"/>, and the planner run over it.</summary>
internal sealed class RetentionRows(string repository = "team/app")
{
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    private readonly string _partition = StorageLayout.RepositoryKey(repository);
    private readonly Dictionary<string, TableRow> _rows = new(StringComparer.Ordinal);

    public string Repository { get; } = repository;
    public Dictionary<string, DateTimeOffset> Pulls { get; } = new(StringComparer.Ordinal);
    public IReadOnlyList<TableRow> Rows => [.. _rows.Values];

    public static string Digest(string name) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    /// <summary>An image manifest pushed <paramref name="daysAgo"/> days ago; with <paramref name="subject"/>, a referrer of it (with its referrer row).</summary>
    public string Image(string name, double daysAgo, string? subject = null)
    {
        var digest = Digest(name);
        var body = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\"}");
        Add(new ManifestRow(new ManifestBody(MediaTypes.OciManifest, body.Length, body, null), subject, null, Now.AddDays(-daysAgo)).ToRow(_partition, digest));
        if (subject is not null)
        {
            Add(new ReferrerRow(MediaTypes.OciManifest, body.Length, "application/example", null, false, Now.AddDays(-daysAgo)).ToRow(_partition, subject, digest));
        }

        return digest;
    }

    /// <summary>An index over <paramref name="children"/>, pushed <paramref name="daysAgo"/> days ago.</summary>
    public string Index(string name, double daysAgo, params string[] children)
    {
        var entries = string.Join(",", children.Select(c => "{\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"digest\":\"" + c + "\",\"size\":10}"));
        var body = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":[" + entries + "],\"n\":\"" + name + "\"}");
        var digest = Digest(name);
        Add(new ManifestRow(new ManifestBody(MediaTypes.OciIndex, body.Length, body, null), null, null, Now.AddDays(-daysAgo)).ToRow(_partition, digest));
        return digest;
    }

    /// <summary>A tag pushed <paramref name="daysAgo"/> days ago on a manifest of its own (created when absent) or on <paramref name="digest"/>.</summary>
    public string Tag(string tag, double daysAgo, string? digest = null)
    {
        digest ??= _rows.ContainsKey(StorageLayout.ManifestKey(Digest(tag))) ? Digest(tag) : Image(tag, daysAgo);
        Add(new TagRow(digest, new ManifestBody(MediaTypes.OciManifest, 10, null, null), Now.AddDays(-daysAgo)).ToRow(_partition, tag));
        return digest;
    }

    public void Pulled(string digest, double daysAgo) => Pulls[digest] = Now.AddDays(-daysAgo);

    public Task<RetentionPlan> PlanAsync(params RetentionRule[] rules) => PlanAsync(new PolicySet(rules, [], [], []));

    public Task<RetentionPlan> PlanAsync(PolicySet policies) =>
        RetentionPlanner.PlanAsync(RetentionInput.For(policies, Repository, Rows, Pulls, Now, Grace),
            (row, _) => Task.FromResult(ManifestRefs.Parse(ManifestBody.FromRow(row).Content!, ManifestBody.FromRow(row).MediaType)), CancellationToken.None);

    public static RetentionRule Rule(string name, RetentionKeep keep, string tags = "**", TimeSpan? untaggedAfter = null) =>
        new(name, "team/**", [tags], keep, untaggedAfter);

    private void Add(TableRow row) => _rows[row.RowKey] = new TableRow(row.PartitionKey, row.RowKey) { ETag = "e", Properties = row.Properties };
}

internal static class RetentionPlanExtensions
{
    public static string[] DeletedTags(this RetentionPlan plan) => [.. plan.Tags.Select(t => t.Tag).Order(StringComparer.Ordinal)];

    public static HashSet<string> DeletedManifests(this RetentionPlan plan) => plan.Manifests.Select(m => m.Digest).ToHashSet(StringComparer.Ordinal);

    public static string Reason(this RetentionPlan plan, string tag, string rule) =>
        plan.Tags.Single(t => t.Tag == tag).Verdicts.Single(v => v.Rule == rule).Reason;
}
