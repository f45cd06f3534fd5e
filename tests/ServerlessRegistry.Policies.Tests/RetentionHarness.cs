using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Policies.Retention;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// One registry on Azurite for a test class, with a hand-moved clock shared by pushes, pull recording and retention.
/// Manifests are stored in-process (no content needed: retention reads rows only), so seeding takes milliseconds.
/// </summary>
public sealed class RetentionHarness : IAsyncLifetime
{
    private RegistryServer? _server;
    private ManifestService? _manifests;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
    internal RegistryServer Server => _server!;
    internal RegistryStorage Storage => Server.Services.GetRequiredService<RegistryStorage>();
    /// <summary>Stores manifests without the write guard: these tests are about retention, which deletes rows directly.</summary>
    internal ManifestService Manifests => _manifests ??= new ManifestService(
        Storage, Server.Services.GetRequiredService<CatalogService>(), Clock, Server.Services.GetRequiredService<RepositoryStats>());
    internal PullRecorder Pulls => Server.Services.GetRequiredService<PullRecorder>();

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync(services: s => s.AddSingleton<TimeProvider>(Clock));

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A runner over the registry's storage, or over <paramref name="storage"/> (a hooked view of it), telling <paramref name="events"/> what it deletes.</summary>
    internal RetentionRunner Runner(RegistryStorage? storage = null, IRegistryEvents? events = null)
    {
        storage ??= Storage;
        return new RetentionRunner(storage, new PolicyCache(new PolicyStore(storage, Clock), Clock), new PullRecorder(storage, Clock, NullLogger<PullRecorder>.Instance),
            Clock, NullLogger<RetentionRunner>.Instance, events: events);
    }

    /// <summary>Stores a distinct image manifest under <paramref name="tags"/> (none: by digest), referring to <paramref name="subject"/> when given.</summary>
    internal async Task<string> PushAsync(string repository, string? subject, params string[] tags)
    {
        var seed = Guid.NewGuid().ToString("N");
        var manifest = OciHttp.ImageManifest(Sha(seed + "c"), 10, Sha(seed + "l"), 20, subject);
        var digest = OciHttp.Sha256(manifest);
        var reference = ManifestReference.Parse(tags.Length > 0 ? tags[0] : digest);
        await Manifests.PutAsync(repository, reference, manifest, MediaTypes.OciManifest, [.. tags.Skip(1)], CancellationToken.None, requireReferences: false);
        return digest;
    }

    /// <summary>Stores an index over <paramref name="children"/> (image manifests) under <paramref name="tag"/>.</summary>
    internal async Task<string> PushIndexAsync(string repository, string tag, params string[] children)
    {
        var entries = string.Join(",", children.Select(c => "{\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"digest\":\"" + c + "\",\"size\":10}"));
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":[" + entries + "]}");
        await Manifests.PutAsync(repository, ManifestReference.Parse(tag), manifest, MediaTypes.OciIndex, [], CancellationToken.None, requireReferences: false);
        return OciHttp.Sha256(manifest);
    }

    /// <summary>Moves <paramref name="tags"/> onto an existing manifest, as a client re-tagging it by pushing its bytes again.</summary>
    internal async Task RetagAsync(string repository, string digest, params string[] tags)
    {
        var content = await Manifests.GetAsync(repository, ManifestReference.Parse(digest), withContent: true, CancellationToken.None);
        await Manifests.PutAsync(repository, ManifestReference.Parse(tags[0]), content.Bytes!, content.MediaType, [.. tags.Skip(1)], CancellationToken.None, requireReferences: false);
    }

    internal async Task PullAsync(string repository, string digest)
    {
        Pulls.Record(repository, digest);
        await Pulls.WhenIdleAsync();
    }

    /// <summary>Every row of the repository's partition and its pull times, with ETags and properties, as comparable text.</summary>
    internal async Task<string> SnapshotAsync(string repository)
    {
        var text = new StringBuilder();
        foreach (var table in new[] { Storage.Layout.RepositoriesTable, Storage.Layout.PullsTable })
        {
            var rows = await Storage.QueryAllAsync(table, new RowQuery { PartitionKey = StorageLayout.RepositoryKey(repository) }, int.MaxValue, CancellationToken.None);
            foreach (var row in rows)
            {
                text.Append(table).Append(' ').Append(row.RowKey).Append(' ').Append(row.ETag).Append('\n');
                foreach (var (name, value) in row.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append("  ").Append(name).Append('=').Append(value is byte[] b ? Convert.ToBase64String(b) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    internal async Task<bool> ExistsAsync(string repository, string rowKey) =>
        await Storage.GetRepositoryRowAsync(repository, rowKey, CancellationToken.None) is not null;

    private static string Sha(string text) => OciHttp.Sha256(Encoding.UTF8.GetBytes(text));
}

/// <summary>The registry's storage as retention's deletes see it: before each delete batch on the repositories table the hook runs.</summary>
internal sealed class RetentionHookedStore(RegistryStorage inner, Func<IReadOnlyList<RowOperation>, Task> beforeDelete) : IMetadataStore
{
    public RegistryStorage Storage => new(inner.Layout, inner.Blobs, this);

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        inner.Metadata.GetAsync(table, partitionKey, rowKey, cancellationToken);

    public Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken) => inner.Metadata.QueryAsync(table, query, cancellationToken);

    public Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken) =>
        inner.Metadata.ExecuteAsync(table, operation, cancellationToken);

    public async Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken)
    {
        if (table == inner.Layout.RepositoriesTable && operations.All(o => o.Kind == RowOperationKind.Delete))
        {
            await beforeDelete(operations);
        }

        await inner.Metadata.ExecuteBatchAsync(table, operations, cancellationToken);
    }
}
