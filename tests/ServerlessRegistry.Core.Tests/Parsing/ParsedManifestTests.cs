using System.Text;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Parsing;

/// <summary>
/// Reading manifest bytes: the media type (Content-Type or the document's own, which must agree), what the manifest
/// references, and refusal as MANIFEST_INVALID of anything malformed. JSON is written with ' for " to stay readable.
/// </summary>
public sealed class ParsedManifestTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Config = "{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" + A + "','size':2}";
    private const string Layer = "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'" + B + "','size':128}";
    private const string Child = "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" + B + "','size':500}";

    [Fact]
    public void ReadsAnImageManifest()
    {
        var parsed = Parse("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','config':" + Config + ",'layers':[" + Layer + "," + Layer + "]}", MediaTypes.OciManifest);

        Assert.Equal(MediaTypes.OciManifest, parsed.MediaType);
        Assert.Equal(new Descriptor("application/vnd.oci.image.config.v1+json", A, 2, false), parsed.Config);
        Assert.Equal(2, parsed.Layers.Count);
        Assert.Equal(new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", B, 128, false), parsed.Layers[0]);
        Assert.Empty(parsed.Manifests);
        Assert.Null(parsed.Subject);
        Assert.Equal("application/vnd.oci.image.config.v1+json", parsed.EffectiveArtifactType);
    }

    [Fact]
    public void ReadsAnIndex()
    {
        var parsed = Parse("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciIndex + "','manifests':[" + Child + "]}", MediaTypes.OciIndex);

        Assert.Equal(MediaTypes.OciIndex, parsed.MediaType);
        Assert.Null(parsed.Config);
        Assert.Empty(parsed.Layers);
        Assert.Equal(B, Assert.Single(parsed.Manifests).Digest);
        Assert.Null(parsed.EffectiveArtifactType);
    }

    [Fact]
    public void ReadsAnArtifactWithASubjectAndAnnotations()
    {
        var parsed = Parse(
            "{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','artifactType':'application/vnd.example.sbom','config':" + Config +
            ",'layers':[],'subject':" + Child + ",'annotations':{'org.opencontainers.image.created':'2024-01-01T00:00:00Z'}}",
            MediaTypes.OciManifest);

        Assert.Equal("application/vnd.example.sbom", parsed.ArtifactType);
        Assert.Equal("application/vnd.example.sbom", parsed.EffectiveArtifactType);
        Assert.Equal(B, parsed.Subject?.Digest);
        Assert.Empty(parsed.Layers);
        Assert.Equal("{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}", parsed.AnnotationsJson);
    }

    [Theory]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[]}", null, MediaTypes.OciManifest)]
    [InlineData("{'schemaVersion':2,'manifests':[]}", null, MediaTypes.OciIndex)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[]}", MediaTypes.DockerManifest, MediaTypes.DockerManifest)]
    [InlineData("{'schemaVersion':2,'manifests':[]}", MediaTypes.DockerManifestList, MediaTypes.DockerManifestList)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[]}", MediaTypes.OciManifest + "; charset=utf-8", MediaTypes.OciManifest)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[]}", "Application/VND.OCI.Image.Manifest.v1+JSON", MediaTypes.OciManifest)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','config':" + Config + ",'layers':[]}", "", MediaTypes.OciManifest)]
    [InlineData("{'schemaVersion':2,'mediaType':null,'config':" + Config + ",'layers':[]}", null, MediaTypes.OciManifest)]
    public void TakesTheMediaTypeFromContentTypeElseTheDocument(string json, string? contentType, string mediaType) =>
        Assert.Equal(mediaType, Parse(json, contentType).MediaType);

    [Theory]
    [InlineData("not json", null)]
    [InlineData("", null)]
    [InlineData("[]", null)]
    [InlineData("'manifest'", null)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[]", null)]
    [InlineData("{'config':" + Config + ",'layers':[]}", null)]
    [InlineData("{'schemaVersion':1,'config':" + Config + ",'layers':[]}", null)]
    [InlineData("{'schemaVersion':'2','config':" + Config + ",'layers':[]}", null)]
    [InlineData("{'schemaVersion':2.5,'config':" + Config + ",'layers':[]}", null)]
    [InlineData("{'schemaVersion':2}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','config':" + Config + ",'layers':[]}", MediaTypes.OciIndex)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.DockerManifest + "','config':" + Config + ",'layers':[]}", MediaTypes.OciManifest)]
    [InlineData("{'schemaVersion':2,'mediaType':'application/json','config':" + Config + ",'layers':[]}", null)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[]}", "application/json")]
    [InlineData("{'schemaVersion':2,'mediaType':2,'config':" + Config + ",'layers':[]}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','layers':[]}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','config':" + Config + "}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','config':" + Config + ",'layers':null}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciManifest + "','config':" + Config + ",'layers':{}}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciIndex + "'}", null)]
    [InlineData("{'schemaVersion':2,'mediaType':'" + MediaTypes.OciIndex + "','manifests':" + Child + "}", null)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[],'artifactType':7}", null)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[],'annotations':{'a':1}}", null)]
    [InlineData("{'schemaVersion':2,'config':" + Config + ",'layers':[],'annotations':['a']}", null)]
    public void RefusesMalformedManifests(string json, string? contentType) => AssertInvalid(json, contentType);

    [Theory]
    [InlineData("null")]
    [InlineData("'" + A + "'")]
    [InlineData("[]")]
    [InlineData("{'digest':'" + A + "','size':1}")]
    [InlineData("{'mediaType':7,'digest':'" + A + "','size':1}")]
    [InlineData("{'mediaType':'m/t','size':1}")]
    [InlineData("{'mediaType':'m/t','digest':null,'size':1}")]
    [InlineData("{'mediaType':'m/t','digest':'sha256:abc','size':1}")]
    [InlineData("{'mediaType':'m/t','digest':'sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA','size':1}")]
    [InlineData("{'mediaType':'m/t','digest':'sha512:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','size':1}")]
    [InlineData("{'mediaType':'m/t','digest':'md5:d41d8cd98f00b204e9800998ecf8427e','size':1}")]
    [InlineData("{'mediaType':'m/t','digest':7,'size':1}")]
    [InlineData("{'mediaType':'m/t','digest':'" + A + "'}")]
    [InlineData("{'mediaType':'m/t','digest':'" + A + "','size':-1}")]
    [InlineData("{'mediaType':'m/t','digest':'" + A + "','size':1.5}")]
    [InlineData("{'mediaType':'m/t','digest':'" + A + "','size':'1'}")]
    [InlineData("{'mediaType':'m/t','digest':'" + A + "','size':null}")]
    [InlineData("{'mediaType':'m/t','digest':'" + A + "','size':9223372036854775808}")]
    public void RefusesAnInvalidDescriptorWhereverItIs(string descriptor)
    {
        AssertInvalid("{'schemaVersion':2,'config':" + descriptor + ",'layers':[]}", MediaTypes.OciManifest);
        AssertInvalid("{'schemaVersion':2,'config':" + Config + ",'layers':[" + Layer + "," + descriptor + "]}", MediaTypes.OciManifest);
        AssertInvalid("{'schemaVersion':2,'manifests':[" + descriptor + "]}", MediaTypes.OciIndex);
        if (descriptor != "null")
        {
            // A null subject is no subject.
            AssertInvalid("{'schemaVersion':2,'config':" + Config + ",'layers':[],'subject':" + descriptor + "}", MediaTypes.OciManifest);
        }
    }

    [Fact]
    public void NotesALayerThatHasUrls()
    {
        var foreign = "{'mediaType':'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip','digest':'" + B + "','size':1,'urls':['https://example.com/l']}";

        var parsed = Parse("{'schemaVersion':2,'config':" + Config + ",'layers':[" + foreign + "," + Layer + "]}", MediaTypes.OciManifest);

        Assert.True(parsed.Layers[0].HasUrls);
        Assert.False(parsed.Layers[1].HasUrls);
    }

    private static ParsedManifest Parse(string json, string? contentType) =>
        ParsedManifest.Parse(Encoding.UTF8.GetBytes(json.Replace('\'', '"')), contentType);

    private static void AssertInvalid(string json, string? contentType) =>
        Assert.Equal(ErrorKind.ManifestInvalid, Assert.Throws<RegistryException>(() => Parse(json, contentType)).Kind);
}
