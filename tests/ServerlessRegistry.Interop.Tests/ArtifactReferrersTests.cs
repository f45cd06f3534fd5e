using System.Net;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>An OCI 1.1 artifact with a subject survives skopeo unchanged and is listed by the referrers API.</summary>
public sealed class ArtifactReferrersTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private const string SbomType = "application/vnd.example.sbom.v1+json";

    private static readonly Dictionary<string, string> Annotations = new()
    {
        ["org.example.sbom.format"] = "spdx",
        ["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z",
    };

    [Fact]
    public async Task CopiesArtifactWithSubjectRoundTripWithIdenticalDigests()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var (source, image, artifact, repository) = await PushSubjectAndArtifactAsync(scratch);

        await InteropAssert.ManifestServedAsync(scratch, repository, artifact.Digest, artifact);
        await InteropAssert.ManifestServedAsync(scratch, repository, "v1", image.Manifest);

        await scratch.Skopeo.CopyAsync(scratch.Remote(repository, artifact.Digest), $"oci:{scratch.LayoutPath("copy")}:sbom");
        var empty = OciLayoutBuilder.Sha256("{}"u8);
        InteropAssert.SameBlobs(source, scratch.LayoutPath("copy"), [artifact.Digest, empty]);
    }

    [Fact]
    public async Task ListsArtifactAsReferrerOfItsSubject()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var (_, image, artifact, repository) = await PushSubjectAndArtifactAsync(scratch);

        var exchange = await scratch.Registry.GetReferrersAsync(repository, image.Manifest.Digest);
        Assert.True(exchange.Status == HttpStatusCode.OK, exchange.ToString());
        Assert.True(exchange.ContentType == OciLayoutBuilder.IndexType, exchange.ToString());
        using var index = JsonDocument.Parse(exchange.Body);
        Assert.Equal(2, index.RootElement.GetProperty("schemaVersion").GetInt32());
        var referrer = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(OciLayoutBuilder.ManifestType, referrer.GetProperty("mediaType").GetString());
        Assert.Equal(artifact.Digest, referrer.GetProperty("digest").GetString());
        Assert.Equal(artifact.Size, referrer.GetProperty("size").GetInt64());
        Assert.Equal(SbomType, referrer.GetProperty("artifactType").GetString());
        var annotations = referrer.GetProperty("annotations").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(Annotations.OrderBy(a => a.Key), annotations.OrderBy(a => a.Key)!);

        var filtered = await scratch.Registry.GetReferrersAsync(repository, image.Manifest.Digest, "application/vnd.example.other");
        Assert.True(filtered.Status == HttpStatusCode.OK, filtered.ToString());
        using var filteredIndex = JsonDocument.Parse(filtered.Body);
        var remaining = filteredIndex.RootElement.GetProperty("manifests").GetArrayLength();
        Assert.True(remaining == 0 || filtered.Header("OCI-Filters-Applied") == "", $"filter applied but not honoured\n{filtered}");
    }

    [Fact]
    public async Task AnswersArtifactManifestPutWithOciSubjectHeader()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var source = scratch.NewLayout("source");
        var image = source.AddImage("linux", "amd64", ("app.bin", InteropScratch.SmallPayload(), true));
        var artifact = source.AddArtifact(SbomType, image.Manifest, Annotations);
        source.Tag(image.Manifest, "v1");
        var repository = scratch.Repository("subject");
        await scratch.Skopeo.CopyAsync(source.Reference("v1"), scratch.Remote(repository, "v1"));

        await scratch.Registry.PushBlobAsync(repository, "{}"u8.ToArray());
        var put = await scratch.Registry.PutManifestAsync(
            repository, artifact.Digest, File.ReadAllBytes(source.BlobPath(artifact.Digest)), OciLayoutBuilder.ManifestType);

        Assert.True(put.Status == HttpStatusCode.Created, put.ToString());
        Assert.True(put.Header("Docker-Content-Digest") == artifact.Digest, put.ToString());
        Assert.True(put.Header("OCI-Subject") == image.Manifest.Digest, "a registry that understands subject says so\n" + put);
        Assert.Equal(artifact.Digest, OciLayoutBuilder.Sha256(await scratch.Skopeo.InspectRawAsync(scratch.Remote(repository, artifact.Digest))));
    }

    private static async Task<(OciLayoutBuilder Source, OciImage Image, OciDescriptor Artifact, string Repository)> PushSubjectAndArtifactAsync(InteropScratch scratch)
    {
        var source = scratch.NewLayout("source");
        var image = source.AddImage("linux", "amd64", ("app.bin", InteropScratch.SmallPayload(), true));
        var artifact = source.AddArtifact(SbomType, image.Manifest, Annotations);
        source.Tag(image.Manifest, "v1");
        source.Tag(artifact, "sbom");
        var repository = scratch.Repository("artifact");

        await scratch.Skopeo.CopyAsync(source.Reference("v1"), scratch.Remote(repository, "v1"));
        await scratch.Skopeo.CopyAsync(source.Reference("sbom"), scratch.Remote(repository, artifact.Digest));
        return (source, image, artifact, repository);
    }
}
