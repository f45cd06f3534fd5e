using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// Answers a blob GET or HEAD in a cached repository that has no link for the digest, from the upstream, and fills the
/// cache without holding a request for the transfer where the upstream allows it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Upstream redirects (Docker Hub, ghcr.io, quay.io, mcr): the client gets the same 307, and a background job
/// copies the blob into storage (<see cref="LocationFill"/>); this request ends at once.</item>
/// <item>Upstream serves the bytes: they stream through to the client at the upstream's speed and are stored beside
/// the stream, or, when storage falls behind, by reading the upstream again after it (<see cref="StreamThrough"/>).</item>
/// </list>
/// One fill per digest: one job per process (<see cref="FillJobs"/>), one claim row across instances (<see cref="FillClaims"/>).
/// Upstream failures become UNAVAILABLE (503) or TOOMANYREQUESTS (429, with the upstream's Retry-After); the upstream's
/// authentication is never passed on. Thread-safe.
/// </remarks>
internal sealed class BlobFiller(IUpstreamRegistry upstream, FillJobs jobs, FillClaims claims, LocationFill locations, StreamThrough streams,
    BlobService blobs, ILogger<BlobFiller> logger)
{
    /// <summary>GET of a blob the repository does not hold: 307 to the upstream's location, or the bytes streamed through.</summary>
    public async Task<IResult> GetMissAsync(RegistryRequest request, UpstreamTarget target)
    {
        var digest = request.Digest;
        var repository = request.Repository;
        var upstreamName = target.ToString();
        var blob = await CallAsync(target, () => upstream.GetBlobAsync(target, digest.Value, request.Aborted)).ConfigureAwait(false)
            ?? Fail.With<UpstreamBlob>(ErrorKind.BlobUnknown, $"{upstreamName} has no blob {digest}", ("digest", digest.Value));

        if (blob.Redirect is { } location)
        {
            blob.Dispose();
            // Null when this process fills the digest already: the client still gets its redirect.
            _ = jobs.TryStart(digest.Value, ct => UnderClaimAsync(repository, digest, t => locations.FillAsync(repository, digest, location, upstreamName, t), ct));
            return new BlobRedirectResult(location, digest.Value);
        }

        return new StreamThroughResult(blob, (context, released, mayStore, ct) => streams.RunAsync(context, released, blob, repository, digest, upstreamName,
            mayStore ? refillToken => RefillAsync(repository, target, digest, refillToken) : null, ct), jobs, digest.Value);
    }

    /// <summary>HEAD of a blob the repository does not hold: its size from the upstream, under the digest asked for.</summary>
    public async Task<IResult> HeadMissAsync(RegistryRequest request, UpstreamTarget target)
    {
        var digest = request.Digest.Value;
        var found = await CallAsync(target, () => upstream.HeadBlobAsync(target, digest, request.Aborted)).ConfigureAwait(false);
        if (found is null || found.Digest is { } claimed && claimed != digest)
        {
            return Fail.With<IResult>(ErrorKind.BlobUnknown, $"{target} has no blob {digest}", ("digest", digest));
        }

        return found.Size is { } size
            ? new BlobDescriptorResult(new BlobInfo(digest, size, ""))
            : Fail.With<IResult>(ErrorKind.Unavailable, $"{target} did not say the size of {digest}; try again");
    }

    /// <summary>
    /// Fills one blob now, with no client waiting (pre-fetch): the same paths and the same one-fill-per-digest rule as a
    /// miss, awaited to the end. Returns the blob linked in <paramref name="repository"/>, or null when nothing could be
    /// linked (the upstream's bytes did not verify, or another instance is filling the digest right now).
    /// </summary>
    public async Task<BlobInfo?> FillAsync(string repository, UpstreamTarget target, Core.Primitives.Digest digest, CancellationToken ct)
    {
        if (jobs.Running(digest.Value) is { } running)
        {
            await running.WaitAsync(ct).ConfigureAwait(false);
        }
        else
        {
            using var blob = await CallAsync(target, () => upstream.GetBlobAsync(target, digest.Value, ct)).ConfigureAwait(false)
                ?? Fail.With<UpstreamBlob>(ErrorKind.BlobUnknown, $"{target} has no blob {digest}", ("digest", digest.Value));
            var upstreamName = target.ToString();
            var job = jobs.TryStart(digest.Value, jobToken =>
                UnderClaimAsync(repository, digest, t => StoreAsync(repository, digest, blob, upstreamName, "pre-fetch", t), jobToken));
            await (job ?? jobs.Running(digest.Value) ?? Task.CompletedTask).WaitAsync(ct).ConfigureAwait(false);
        }

        return await blobs.FindAsync(repository, digest.Value, ct).ConfigureAwait(false)
               ?? await blobs.MountAsync(repository, digest.Value, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The re-read of a stream-through whose inline store was abandoned: runs inside that fill's job and claim, after its
    /// client's stream has ended, and stores the blob by whichever path the upstream now offers.
    /// </summary>
    private async Task RefillAsync(string repository, UpstreamTarget target, Core.Primitives.Digest digest, CancellationToken ct)
    {
        var upstreamName = target.ToString();
        using var blob = await upstream.GetBlobAsync(target, digest.Value, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{upstreamName} no longer has {digest}");
        await StoreAsync(repository, digest, blob, upstreamName, "re-read", ct).ConfigureAwait(false);
    }

    /// <summary>Stores the blob from what the upstream answered: the location it redirected to, or the bytes it sent.</summary>
    private async Task StoreAsync(string repository, Core.Primitives.Digest digest, UpstreamBlob blob, string upstreamName, string path, CancellationToken ct)
    {
        if (blob.Redirect is { } location)
        {
            await locations.FillAsync(repository, digest, location, upstreamName, ct).ConfigureAwait(false);
            return;
        }

        await using var body = await blob.Response!.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await locations.StoreStreamAsync(repository, digest, body, blob.Response.Content.Headers.ContentLength, upstreamName, path, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="store"/> under the digest's fill claim (across instances), unless another instance holds it or
    /// a fill that finished since the miss can simply be linked.
    /// </summary>
    private async Task UnderClaimAsync(string repository, Core.Primitives.Digest digest, Func<CancellationToken, Task> store, CancellationToken ct)
    {
        if (await claims.TryClaimAsync(digest.Value, ct).ConfigureAwait(false) is not { } claim)
        {
            return;
        }

        try
        {
            // A fill that finished between the client's miss and this claim needs no second copy: link it.
            if (await blobs.MountAsync(repository, digest.Value, ct).ConfigureAwait(false) is null)
            {
                await store(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await claims.ReleaseAsync(digest.Value, claim).ConfigureAwait(false);
        }
    }

    /// <summary>Turns an upstream failure into the registry's own error; the upstream's answer and credentials stay here.</summary>
    private async Task<T> CallAsync<T>(UpstreamTarget target, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (UpstreamException e)
        {
            FillLog.UpstreamFailed(logger, target.ToString(), e.Failure, e);
            throw UpstreamRefusal.For(e, target);
        }
    }

    /// <summary>
    /// 200 with the blob streamed through. The stream runs as this process's fill of the digest when none runs yet
    /// (then it may store, and goes on reading the upstream when the client leaves); otherwise inside the request, without storing.
    /// </summary>
    private sealed class StreamThroughResult(UpstreamBlob blob, Func<HttpContext, Action, bool, CancellationToken, Task> run, FillJobs jobs, string digest)
        : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/octet-stream";
            response.ContentLength = blob.Response!.Content.Headers.ContentLength;
            response.Headers["Docker-Content-Digest"] = digest;
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (jobs.TryStart(digest, ct => run(context, released.SetResult, true, ct)) is { } job)
            {
                // The job writes to this context until it has finished, aborted or lost the response, so the request must
                // not end (and the context be reused) before; it need not wait longer (for storing or a re-read).
                await Task.WhenAny(released.Task, job).ConfigureAwait(false);
                return;
            }

            try
            {
                await run(context, () => { }, false, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client left a stream that was not storing: nothing to finish.
            }
        }
    }
}
