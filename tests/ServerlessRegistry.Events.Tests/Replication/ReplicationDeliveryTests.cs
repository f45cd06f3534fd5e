using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Events;
using ServerlessRegistry.Events.Replication;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests.Replication;

/// <summary>A push event delivered to a replication rule's destination copies the tag to the other registry.</summary>
[Collection(ReplicationCollection.Name)]
public sealed class ReplicationDeliveryTests(ReplicationFixture fixture)
{
    [Fact]
    public async Task MultiArchImageWithSignatureArrivesAtTheDestinationByDigest()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "apps/web", "1.0");

        await fixture.Rule("plain").DeliverAsync([ReplicationFixture.Push("apps/web", "1.0", image.IndexDigest)], CancellationToken.None);

        var skopeo = new Skopeo(fixture.Sandbox);
        var at = $"docker://{fixture.Destination.HostPort}/apps/web";
        Assert.Equal(image.Index, await skopeo.InspectRawAsync($"{at}@{image.IndexDigest}"));
        Assert.Equal(image.Index, await skopeo.InspectRawAsync($"{at}:1.0"));
        foreach (var (bytes, digest) in image.Platforms)
        {
            Assert.Equal(bytes, await skopeo.InspectRawAsync($"{at}@{digest}"));
        }

        using var referrers = JsonDocument.Parse(await fixture.Destination.Client.GetStringAsync($"/v2/apps/web/referrers/{image.IndexDigest}"));
        var listed = Assert.Single(referrers.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(image.SignatureDigest, listed.GetProperty("digest").GetString());
        Assert.Equal(MultiArchImage.SignatureType, listed.GetProperty("artifactType").GetString());
        Assert.Equal(image.Signature, await skopeo.InspectRawAsync($"{at}@{image.SignatureDigest}"));
        // The signature's payload is a blob of the destination's repository.
        var payload = JsonDocument.Parse(image.Signature).RootElement.GetProperty("layers")[0].GetProperty("digest").GetString();
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/apps/web/blobs/{payload}");
        using var blob = await fixture.Destination.Client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
    }

    [Fact]
    public async Task SignatureAttachedByDigestAfterTheImageWasCopiedFollowsIt()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "apps/attached", "1.0", signed: false);
        var destination = fixture.Rule("plain");
        await destination.DeliverAsync([ReplicationFixture.Push("apps/attached", "1.0", image.IndexDigest)], CancellationToken.None);

        var (signature, signatureDigest) = await MultiArchImage.SignAsync(fixture.Source.Client, "apps/attached", image.IndexDigest);
        var pushed = ReplicationFixture.PushByDigest("apps/attached", signatureDigest);
        Assert.True(destination.Accepts(pushed));
        Assert.False(destination.Accepts(ReplicationFixture.PushByDigest("elsewhere/attached", signatureDigest)));
        await destination.DeliverAsync([pushed], CancellationToken.None);

        Assert.Equal([signatureDigest], await ReplicationFixture.ReferrersAsync(fixture.Destination.Client, "apps/attached", image.IndexDigest));
        Assert.Equal(signature, await new Skopeo(fixture.Sandbox).InspectRawAsync($"docker://{fixture.Destination.HostPort}/apps/attached@{signatureDigest}"));
    }

    [Fact]
    public async Task PushByDigestOfNoReferrerOrOfASubjectNotCopiedSendsNothing()
    {
        // A signature of a tag the rule filters out: its subject is not at the destination, so neither is it.
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "team/filtered", "latest", signed: false);
        var (_, signatureDigest) = await MultiArchImage.SignAsync(fixture.Source.Client, "team/filtered", image.IndexDigest);
        // A manifest pushed by digest with no subject, as a multi-platform push sends each platform before its index.
        var config = "{}"u8.ToArray();
        var layer = OciHttp.RandomBytes(100);
        var loose = OciHttp.ImageManifest(await fixture.Source.Client.PushBlobAsync("team/filtered", config), config.Length,
            await fixture.Source.Client.PushBlobAsync("team/filtered", layer), layer.Length);
        using (var put = await fixture.Source.Client.PutManifestAsync("team/filtered", OciHttp.Sha256(loose), loose))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var destination = fixture.Rule("backup");
        var events = new[] { ReplicationFixture.PushByDigest("team/filtered", signatureDigest), ReplicationFixture.PushByDigest("team/filtered", OciHttp.Sha256(loose)) };
        Assert.All(events, e => Assert.True(destination.Accepts(e)));
        await destination.DeliverAsync(events, CancellationToken.None);

        Assert.Null(await ReplicationFixture.HeadAsync(fixture.Destination.Client, "backup/team/filtered", signatureDigest));
        Assert.Null(await ReplicationFixture.HeadAsync(fixture.Destination.Client, "backup/team/filtered", OciHttp.Sha256(loose)));
    }

    [Fact]
    public async Task SecondDeliveryUploadsNoBlobAgain()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "apps/again", "2.0");
        var destination = fixture.Rule("plain");
        await destination.DeliverAsync([ReplicationFixture.Push("apps/again", "2.0", image.IndexDigest)], CancellationToken.None);

        // A repeat, as a retry or redelivery makes it: every blob and manifest is there, only HEADs are sent.
        var copier = fixture.Source.Services.GetRequiredService<ReplicationCopier>();
        var rule = ((ReplicationDestination)destination).Rule;
        var again = await copier.CopyTagAsync(rule, "apps/again", "2.0", CancellationToken.None);
        Assert.Equal(new CopyResult(image.IndexDigest, 0, 0, 0), again);
        await destination.DeliverAsync([ReplicationFixture.Push("apps/again", "2.0", image.IndexDigest)], CancellationToken.None);
        Assert.Equal(image.IndexDigest, await ReplicationFixture.HeadAsync(fixture.Destination.Client, "apps/again", "2.0"));
    }

    [Fact]
    public async Task TagFilterExcludesAndNamespaceMapsTheName()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "team/api", "v3", signed: false);
        var destination = fixture.Rule("backup");
        Assert.False(destination.Accepts(ReplicationFixture.Push("team/api", "latest", image.IndexDigest)));
        Assert.False(destination.Accepts(ReplicationFixture.Push("other/api", "v3", image.IndexDigest)));
        Assert.False(destination.Accepts(ReplicationFixture.Push("team/api", "v3", image.IndexDigest) with { Action = "delete" }));
        Assert.True(destination.Accepts(ReplicationFixture.Push("team/api", "v3", image.IndexDigest)));

        await destination.DeliverAsync([ReplicationFixture.Push("team/api", "v3", image.IndexDigest)], CancellationToken.None);

        Assert.Equal(image.IndexDigest, await ReplicationFixture.HeadAsync(fixture.Destination.Client, "backup/team/api", "v3"));
        Assert.Null(await ReplicationFixture.HeadAsync(fixture.Destination.Client, "team/api", "v3"));
        var skopeo = new Skopeo(fixture.Sandbox);
        Assert.Equal(image.Platforms[1].Bytes, await skopeo.InspectRawAsync($"docker://{fixture.Destination.HostPort}/backup/team/api@{image.Platforms[1].Digest}"));
    }

    [Fact]
    public async Task DestinationWithTokenAuthTakesThePushWithTheRuleCredentials()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "secure/app", "1", signed: true);

        await fixture.Rule("token").DeliverAsync([ReplicationFixture.Push("secure/app", "1", image.IndexDigest)], CancellationToken.None);

        var creds = $"{ReplicationFixture.Pusher}:{fixture.PusherSecret}";
        var raw = await fixture.Sandbox.RunAsync("/usr/bin/skopeo",
            ["inspect", "--raw", "--tls-verify=false", "--creds", creds, $"docker://{fixture.AuthDestination.HostPort}/secure/app@{image.Platforms[0].Digest}"]);
        Assert.Equal(image.Platforms[0].Bytes, raw.StdOut);
        var signature = await fixture.Sandbox.RunAsync("/usr/bin/skopeo",
            ["inspect", "--raw", "--tls-verify=false", "--creds", creds, $"docker://{fixture.AuthDestination.HostPort}/secure/app@{image.SignatureDigest}"]);
        Assert.Equal(image.Signature, signature.StdOut);
    }

    [Fact]
    public async Task DestinationThatRefusesAnonymousPushesFailsTheDelivery()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "secure/refused", "1", signed: false);

        var e = await Assert.ThrowsAsync<DeliveryException>(() =>
            fixture.Rule("anonymous").DeliverAsync([ReplicationFixture.Push("secure/refused", "1", image.IndexDigest)], CancellationToken.None));

        Assert.Contains("secure/refused:1", e.Message, StringComparison.Ordinal);
        Assert.Contains(fixture.AuthDestination.HostPort, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DestinationAnsweringAnotherDigestFailsTheDelivery()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "bad/app", "1", signed: false);

        var e = await Assert.ThrowsAsync<DeliveryException>(() =>
            fixture.Rule("corrupting").DeliverAsync([ReplicationFixture.Push("bad/app", "1", image.IndexDigest)], CancellationToken.None));

        Assert.Contains($"answered digest sha256:{new string('0', 64)} to PUT manifest {image.Platforms[0].Digest}, expected {image.Platforms[0].Digest}",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedDestinationFailsTheDelivery()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "down/app", "1", signed: false);

        var e = await Assert.ThrowsAsync<DeliveryException>(() =>
            fixture.Rule("down").DeliverAsync([ReplicationFixture.Push("down/app", "1", image.IndexDigest)], CancellationToken.None));

        Assert.Contains("unreachable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DistributionTakesTheImageByDigest()
    {
        // distribution 2.8 has no referrers API: the image only.
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "dist/app", "1.0", signed: false);
        // The source's own delivery loop copies the push too (the rule covers dist/*), and distribution can refuse one of
        // two copies of the same image made at once: the loop's copy lands first, then the delivery runs again over it.
        using var distribution = new HttpClient { BaseAddress = new Uri(ReplicationFixture.Url(fixture.Distribution.HostPort)) };
        await Eventually.GetAsync(() => ReplicationFixture.HeadAsync(distribution, "dist/app", "1.0").GetAwaiter().GetResult(), d => d == image.IndexDigest,
            "the delivery loop's copy", 30);

        await fixture.Rule("distribution").DeliverAsync([ReplicationFixture.Push("dist/app", "1.0", image.IndexDigest)], CancellationToken.None);

        var skopeo = new Skopeo(fixture.Sandbox);
        Assert.Equal(image.Index, await skopeo.InspectRawAsync($"docker://{fixture.Distribution.HostPort}/dist/app:1.0"));
        foreach (var (bytes, digest) in image.Platforms)
        {
            Assert.Equal(bytes, await skopeo.InspectRawAsync($"docker://{fixture.Distribution.HostPort}/dist/app@{digest}"));
        }
    }

    [Fact]
    public async Task DeletedTagIsNothingToCopy()
    {
        var copier = fixture.Source.Services.GetRequiredService<ReplicationCopier>();
        var destination = (ReplicationDestination)fixture.Rule("plain");
        Assert.Null(await copier.CopyTagAsync(destination.Rule, "apps/never-pushed", "1", CancellationToken.None));
        await destination.DeliverAsync([ReplicationFixture.Push("apps/never-pushed", "1", "sha256:" + new string('0', 64))], CancellationToken.None);
        Assert.Null(await ReplicationFixture.HeadAsync(fixture.Destination.Client, "apps/never-pushed", "1"));
    }
}
