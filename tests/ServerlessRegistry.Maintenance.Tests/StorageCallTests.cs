using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Testing;
using Xunit.Abstractions;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>
/// The storage calls a run makes for a registry of 400 blobs: reads must grow with pages (1,000 rows or 5,000
/// blobs a call), not with blobs; deletes are one call per swept blob plus one per 100 links. No timing asserts:
/// the run time is only written to the test output.
/// </summary>
public sealed class StorageCallTests(ITestOutputHelper output)
{
    private const int Repositories = 4;
    private const int BlobsPerRepository = 100;
    private const int Blobs = Repositories * BlobsPerRepository;

    [Fact]
    public async Task ARunOverFourHundredBlobsReadsByThePageAndASecondRunOnlyReads()
    {
        // An Azurite of its own: the emulator serves one request at a time, and the thousands of calls below would
        // hold every other test's calls in line behind them for most of the run.
        var location = Directory.CreateTempSubdirectory("azurite-scale-").FullName;
        var azurite = await Azurite.StartPrivateAsync(location);
        try
        {
            await RunAsync(azurite);
        }
        finally
        {
            azurite.Kill();
            Directory.Delete(location, recursive: true);
        }
    }

    private async Task RunAsync(Azurite azurite)
    {
        await using var gc = await GcHarness.StartAsync(azurite);
        var dropped = new List<(string Repo, string Digest)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Repositories), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (r, _) =>
        {
            var repo = $"scale/r{r}";
            var digests = new string[BlobsPerRepository];
            await Parallel.ForEachAsync(Enumerable.Range(0, BlobsPerRepository), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var bytes = Encoding.UTF8.GetBytes($"{{\"repo\":{r},\"blob\":{i},\"salt\":\"{Guid.NewGuid()}\"}}");
                digests[i] = OciHttp.Sha256(bytes);
                using var post = await gc.Client.PostAsync($"/v2/{repo}/blobs/uploads/?digest={digests[i]}", new ByteArrayContent(bytes));
                Assert.Equal(HttpStatusCode.Created, post.StatusCode);
            });

            // Ten images of ten blobs each (a config and nine layers); half of them are deleted.
            for (var m = 0; m < 10; m++)
            {
                var manifest = Manifest(digests.Skip(m * 10).Take(10).ToArray());
                using var put = await gc.Client.PutManifestAsync(repo, "t" + m, manifest);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                if (m % 2 == 0)
                {
                    lock (dropped)
                    {
                        dropped.Add((repo, OciHttp.Sha256(manifest)));
                    }
                }
            }
        });
        foreach (var (repo, digest) in dropped)
        {
            await gc.DeleteManifestAsync(repo, digest);
        }

        // Each push and delete starts a background recount of its repository's figures; one still running would be counted.
        var stats = gc.Server.Services.GetRequiredService<RepositoryStats>();
        for (var r = 0; r < Repositories; r++)
        {
            await stats.WhenIdleAsync($"scale/r{r}");
        }

        gc.Clock.Advance(GcHarness.PastGrace);
        gc.Counter.Reset();
        var clock = Stopwatch.StartNew();
        var first = await gc.GcAsync();
        var firstTime = clock.Elapsed;
        var firstCalls = gc.Counter.Count;
        var firstKinds = gc.Counter.ByKind;
        Assert.Equal(Blobs / 2, first.BlobsDeleted);
        Assert.Equal(Blobs, first.BlobsScanned);
        Assert.Equal(Blobs / 2, first.LinksDeleted);

        gc.Counter.Reset();
        clock.Restart();
        var second = await gc.GcAsync();
        var secondTime = clock.Elapsed;
        var secondCalls = gc.Counter.Count;
        Assert.Equal(0, second.BlobsDeleted);

        output.WriteLine($"first run: {firstTime.TotalMilliseconds:0} ms, {firstCalls} storage calls: {string.Join(", ", firstKinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}");
        output.WriteLine($"second run: {secondTime.TotalMilliseconds:0} ms, {secondCalls} storage calls: {string.Join(", ", gc.Counter.ByKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}");

        // Deletes: an index row and a blob per swept blob, and one batch per repository; everything else is paged reads,
        // so a read per blob (hundreds of calls) cannot pass for a read per page.
        const int deletes = Blobs / 2 + Blobs / 2 + Repositories;
        Assert.InRange(firstCalls - deletes, 1, 20);
        Assert.InRange(secondCalls, 1, 20);
    }

    private static byte[] Manifest(string[] digests)
    {
        var sb = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"").Append(OciHttp.OciManifest).Append('"');
        sb.Append(",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"").Append(digests[0]).Append("\",\"size\":1}");
        sb.Append(",\"layers\":[").AppendJoin(',', digests.Skip(1).Select(d => $"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{d}\",\"size\":1}}")).Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
