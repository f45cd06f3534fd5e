using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// Requests that race on one upload session: exactly one may change it, and the committed content is always
/// exactly the bytes the winning request hashed.
/// </summary>
public sealed class UploadRaceTests
{
    [Fact]
    public async Task RacingPatchesFromTheSameOffsetLetExactlyOneWin()
    {
        await using var harness = await RegistryHarness.StartAsync();
        var status = await harness.Uploads.StartAsync("race/patch", DigestAlgorithm.Sha256, null, CancellationToken.None);
        var a = OciHttp.RandomBytes(5000);
        var b = OciHttp.RandomBytes(5000);
        var (bodyA, bodyB) = GatedStream.Pair(a, b);

        var results = await Task.WhenAll(
            Attempt(() => harness.Uploads.AppendAsync("race/patch", status.Id, null, bodyA, new ChunkRange(0, 4999), 5000, CancellationToken.None)),
            Attempt(() => harness.Uploads.AppendAsync("race/patch", status.Id, null, bodyB, new ChunkRange(0, 4999), 5000, CancellationToken.None)));

        Assert.Single(results, r => r is null);
        Assert.Single(results, r => r == ErrorKind.RangeInvalid);
        var winner = results[0] is null ? a : b;
        var blob = await harness.Uploads.CompleteAsync("race/patch", status.Id, null, Digest(winner), Stream.Null, null, null, CancellationToken.None);
        Assert.Equal(winner, await harness.ReadThroughRedirectAsync("race/patch", blob.Digest));
    }

    [Fact]
    public async Task RacingFinalPutsCommitOnlyOneAndNeverChangeCommittedContent()
    {
        await using var harness = await RegistryHarness.StartAsync();
        var status = await harness.Uploads.StartAsync("race/put", DigestAlgorithm.Sha256, null, CancellationToken.None);
        var head = OciHttp.RandomBytes(3000);
        await harness.Uploads.AppendAsync("race/put", status.Id, null, new MemoryStream(head), null, null, CancellationToken.None);
        var tailA = OciHttp.RandomBytes(2000);
        var tailB = OciHttp.RandomBytes(2000);
        var (bodyA, bodyB) = GatedStream.Pair(tailA, tailB);

        var results = await Task.WhenAll(
            Attempt(() => harness.Uploads.CompleteAsync("race/put", status.Id, null, Digest([.. head, .. tailA]), bodyA, null, null, CancellationToken.None)),
            Attempt(() => harness.Uploads.CompleteAsync("race/put", status.Id, null, Digest([.. head, .. tailB]), bodyB, null, null, CancellationToken.None)));

        Assert.Single(results, r => r is null);
        var winner = results[0] is null ? (byte[])[.. head, .. tailA] : [.. head, .. tailB];
        var loser = results[0] is null ? (byte[])[.. head, .. tailB] : [.. head, .. tailA];
        Assert.Equal(winner, await harness.ReadThroughRedirectAsync("race/put", Digest(winner).Value));
        Assert.Null(await harness.Blobs.FindAsync("race/put", Digest(loser).Value, CancellationToken.None));
    }

    private static Digest Digest(byte[] content) =>
        Primitives.Digest.FromHash(DigestAlgorithm.Sha256, System.Security.Cryptography.SHA256.HashData(content));

    private static async Task<ErrorKind?> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (RegistryException e)
        {
            return e.Kind;
        }
    }
}
