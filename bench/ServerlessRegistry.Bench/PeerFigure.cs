using System.Diagnostics;
using System.Globalization;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 11: CNCF distribution 2.8.2 (Debian's docker-registry, filesystem storage in a temp folder) and this
/// registry, each sent the same image with skopeo and pulled back, in the same run.
/// </summary>
internal static class PeerFigure
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        const string Goal = "report the ratio; explain any gap";
        if (!o.Peer)
        {
            ctx.Report.Add(new FigureRow(11, "Peer: distribution 2.8.2 (filesystem) vs ours (Azurite), skopeo", "skipped (pass --peer)", Goal, null));
            return;
        }

        if (!File.Exists(DistributionProcess.Binary) || !File.Exists("/usr/bin/skopeo"))
        {
            ctx.Report.Add(new FigureRow(11, "Peer: distribution 2.8.2 vs ours", "skipped: docker-registry or skopeo missing (scripts/bench.sh installs them)", Goal, null));
            return;
        }

        var work = Directory.CreateTempSubdirectory("bench-peer-").FullName;
        try
        {
            using var sandbox = new ContainersSandbox();
            var skopeo = new Skopeo(sandbox);
            var layout = new OciLayoutBuilder(Path.Combine(work, "image"));
            var image = layout.AddImage("linux", "amd64", [.. Enumerable.Range(0, o.PeerLayers).Select(i => ($"layer{i}.bin", OciClient.RandomBytes(o.PeerLayerSize), false))]);
            layout.Tag(image.Manifest, "v1");
            var bytes = image.Layers.Sum(l => l.Size);

            await using var peer = await DistributionProcess.StartAsync();

            // Ours first then the peer, then the pulls in the same order: each side sees the same machine state.
            var ours = ctx.Target.HostPort;
            var theirs = peer.HostPort;
            var pushOurs = await TimeAsync(() => skopeo.CopyAsync(layout.Reference("v1"), $"docker://{ours}/bench/peer:v1"));
            var pushPeer = await TimeAsync(() => skopeo.CopyAsync(layout.Reference("v1"), $"docker://{theirs}/bench/peer:v1"));
            var pullOurs = await TimeAsync(() => skopeo.CopyAsync($"docker://{ours}/bench/peer:v1", $"oci:{Path.Combine(work, "out-ours")}:v1"));
            var pullPeer = await TimeAsync(() => skopeo.CopyAsync($"docker://{theirs}/bench/peer:v1", $"oci:{Path.Combine(work, "out-peer")}:v1"));

            var mib = bytes / Stats.MiB;
            ctx.Report.Raw(string.Create(CultureInfo.InvariantCulture,
                $"Peer, skopeo copy of one image ({o.PeerLayers} × {PushFigures.SizeLabel(o.PeerLayerSize)} uncompressed layers): push ours {Fmt(pushOurs, 2)} s ({Fmt(mib / pushOurs, 0)} MiB/s), distribution {Fmt(pushPeer, 2)} s ({Fmt(mib / pushPeer, 0)} MiB/s); pull ours {Fmt(pullOurs, 2)} s ({Fmt(mib / pullOurs, 0)} MiB/s), distribution {Fmt(pullPeer, 2)} s ({Fmt(mib / pullPeer, 0)} MiB/s)"));
            ctx.Report.Add(new FigureRow(11, "Peer: ours (Azurite) vs distribution 2.8.2 (filesystem), skopeo, throughput ratio",
                $"push {Fmt(pushPeer / pushOurs)}×, pull {Fmt(pullPeer / pullOurs)}×", Goal, null));
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder; never fail the run over it.
            }

            await ctx.Target.DeleteContentAsync();
        }
    }

    private static async Task<double> TimeAsync(Func<Task> action) => (await Stats.TimeAsync(action)).TotalSeconds;
}
