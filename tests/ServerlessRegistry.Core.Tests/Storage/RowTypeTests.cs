using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Tests.Storage;

/// <summary>
/// The row types are the wire format: these tests craft raw rows with the property names and types StorageLayout
/// documents, so renaming a property or changing its type (which would orphan existing data) fails here.
/// </summary>
public sealed class RowTypeTests
{
    private static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Created.AddHours(2);

    [Fact]
    public void BlobIndexRowWritesTheDocumentedPropertiesAndReadsThemBack()
    {
        var row = new BlobIndexRow("data/abc", 5_000_000_000, Created, Later).ToRow("sha256:1");

        AssertProperties(row, ("Blob", "data/abc"), ("Size", 5_000_000_000L), ("CreatedAt", Created), ("TouchedAt", Later));
        Assert.Equal(("sha256:1", ""), (row.PartitionKey, row.RowKey));
        Assert.Equal(new BlobIndexRow("data/abc", 5_000_000_000, Created, Later), BlobIndexRow.FromRow(row));
    }

    [Fact]
    public void TouchSetsOnlyTheTouchPropertyAndKeepsTheETag()
    {
        var index = new TableRow("sha256:1", "") { ETag = "e1", ["Blob"] = "data/a", ["Size"] = 1L, ["CreatedAt"] = Created };
        BlobIndexRow.Touch(index, Later);
        var link = new TableRow("pk", "b:sha256:1") { ETag = "e2", ["Blob"] = "data/a", ["Size"] = 1L, ["LinkedAt"] = Created };
        BlobLinkRow.Touch(link, Later);

        AssertProperties(index, ("Blob", "data/a"), ("Size", 1L), ("CreatedAt", Created), ("TouchedAt", Later));
        AssertProperties(link, ("Blob", "data/a"), ("Size", 1L), ("LinkedAt", Later));
        Assert.Equal(("e1", "e2"), (index.ETag, link.ETag));
    }

    [Fact]
    public void RawRepositoryRowsWithTheDocumentedPropertiesAreRead()
    {
        byte[] content = [1, 2, 3];
        var manifest = ManifestRow.FromRow(new TableRow("pk", "m:sha256:1")
        {
            ["MediaType"] = "application/vnd.oci.image.manifest.v1+json", ["Size"] = 3, ["Content"] = content,
            ["Subject"] = "sha256:0", ["ArtifactType"] = "text/x", ["PushedAt"] = Created,
        });
        var tag = TagRow.FromRow(new TableRow("pk", "t:v1") { ["Digest"] = "sha256:1", ["MediaType"] = "m", ["Size"] = 7L, ["Blob"] = "manifests/sha256/1" });
        var link = BlobLinkRow.FromRow(new TableRow("pk", "b:sha256:2") { ["Blob"] = "data/b", ["Size"] = 9L, ["LinkedAt"] = Created });
        var referrer = ReferrerRow.FromRow(new TableRow("pk", "r:sha256:0:sha256:1")
        {
            ["MediaType"] = "m", ["Size"] = 4L, ["ArtifactType"] = "text/x", ["AnnotationsElsewhere"] = true, ["PushedAt"] = Created,
        });

        Assert.Equal(("application/vnd.oci.image.manifest.v1+json", 3L, null), (manifest.Body.MediaType, manifest.Body.Size, manifest.Body.Blob));
        Assert.Equal(content, manifest.Body.Content);
        Assert.Equal(("sha256:0", "text/x", (DateTimeOffset?)Created), (manifest.Subject, manifest.ArtifactType, manifest.PushedAt));
        Assert.Equal(new TagRow("sha256:1", new ManifestBody("m", 7, null, "manifests/sha256/1"), null), tag);
        Assert.Equal(new BlobLinkRow("data/b", 9, Created), link);
        Assert.Equal(new ReferrerRow("m", 4, "text/x", null, true, Created), referrer);
    }

    [Fact]
    public void RepositoryRowsWriteTheDocumentedPropertiesAndOmitAbsentOnes()
    {
        var body = new ManifestBody("m", 3, [1, 2, 3], null);
        var manifest = new ManifestRow(body, null, "text/x", Created).ToRow("pk", "sha256:1");
        var tag = new TagRow("sha256:1", body with { Content = null }, Created).ToRow("pk", "v1");
        var referrer = new ReferrerRow("m", 3, null, "{}", false, Created).ToRow("pk", "sha256:0", "sha256:1");

        AssertProperties(manifest, ("MediaType", "m"), ("Size", 3L), ("Content", body.Content!), ("ArtifactType", "text/x"), ("PushedAt", Created));
        AssertProperties(tag, ("Digest", "sha256:1"), ("MediaType", "m"), ("Size", 3L), ("PushedAt", Created));
        AssertProperties(referrer, ("MediaType", "m"), ("Size", 3L), ("Annotations", "{}"), ("PushedAt", Created));
        Assert.Equal(["m:sha256:1", "t:v1", "r:sha256:0:sha256:1"], new[] { manifest.RowKey, tag.RowKey, referrer.RowKey });
        Assert.Equal("Digest", TagRow.DigestProperty);
    }

    [Fact]
    public void UploadRowsRoundTripWithTheDocumentedProperties()
    {
        byte[] segments = [0, 0, 0, 1, 0, 0, 0, 2];
        var session = new UploadSessionRow("lib/app", "sha512", 10, segments, null, Created, Later, "token:ci/x");
        var row = session.ToRow("u1");
        var index = new OpenUploadIndexRow(Created).ToRow("token:ci/x", "u1");

        AssertProperties(row, ("Repository", "lib/app"), ("Algorithm", "sha512"), ("Offset", 10L), ("Segments", segments),
            ("CreatedAt", Created), ("UpdatedAt", Later), ("Owner", "token:ci/x"));
        Assert.Equal(session, UploadSessionRow.FromRow(row));
        Assert.DoesNotContain("Segments", (session with { Segments = [] }).ToRow("u1").Properties.Keys);
        AssertProperties(index, ("CreatedAt", Created));
        Assert.Equal((StorageLayout.UploadOwnerKey("token:ci/x"), "u1"), (index.PartitionKey, index.RowKey));
        Assert.Equal(Created, OpenUploadIndexRow.FromRow(index).CreatedAt);
    }

    [Fact]
    public void CatalogAndAuthRowsRoundTripWithTheDocumentedProperties()
    {
        byte[] key = [9, 9], hash = [7];
        var catalog = new CatalogRow("lib/app").ToRow();
        var signing = new SigningKeyRow("k1", key, Created).ToRow();
        var token = new AccessTokenRow("id1", hash, "[\"lib/*\"]", "pull", Later, Created).ToRow("ci");

        AssertProperties(catalog, ("Name", "lib/app"));
        Assert.Equal(("repositories", StorageLayout.RepositoryKey("lib/app")), (catalog.PartitionKey, catalog.RowKey));
        AssertProperties(signing, ("Kid", "k1"), ("Key", key), ("CreatedAt", Created));
        Assert.Equal(("keys", "active"), (signing.PartitionKey, signing.RowKey));
        AssertProperties(token, ("Id", "id1"), ("Hash", hash), ("Repositories", "[\"lib/*\"]"), ("Actions", "pull"), ("ExpiresAt", Later), ("CreatedAt", Created));
        Assert.Equal(("tokens", "ci"), (token.PartitionKey, token.RowKey));
        Assert.Equal("lib/app", CatalogRow.FromRow(catalog).Name);
        Assert.Equal(new SigningKeyRow("k1", key, Created), SigningKeyRow.FromRow(signing));
        Assert.Equal(new AccessTokenRow("id1", hash, "[\"lib/*\"]", "pull", Later, Created), AccessTokenRow.FromRow(token));
    }

    private static void AssertProperties(TableRow row, params (string Name, object Value)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Name).Order(StringComparer.Ordinal), row.Properties.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in expected)
        {
            Assert.IsType(value.GetType(), row[name]);
            Assert.Equal(value, row[name]);
        }
    }
}
