namespace ServerlessRegistry.Core.Registry;

/// <summary>Tunables of the data path. Defaults are what the benchmarks chose (see StorageLayout and the README).</summary>
internal sealed class RegistryOptions
{
    /// <summary>
    /// Bytes per staged block. Larger blocks mean fewer calls but more memory per upload, and a chunked client's
    /// 8 MiB PATCH then fills one block with nothing left to overlap; 4 MiB gives two blocks in parallel per such
    /// chunk and measured no slower than 8 MiB for one streamed PATCH (bench/RESULTS.md).
    /// </summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Put Block calls in flight per upload request. Four keep storage busy while the next block is read and hashed;
    /// memory per upload is (this + 1) × <see cref="BlockSize"/> = 20 MiB, so 20 concurrent pushes fit in 400 MiB.
    /// </summary>
    public int BlocksInFlight { get; set; } = 4;

    /// <summary>Largest manifest accepted (spec: at least 4 MB; ACR uses 4 MiB).</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Upload sessions one caller may hold open. A session stages blocks and costs a row until it ends or expires, so
    /// an unbounded count lets one credential fill storage with abandoned uploads; 1,000 is far above any real client's
    /// parallelism (docker pushes 3 to 5 layers at once).
    /// </summary>
    public int MaxOpenUploadsPerCaller { get; set; } = 1000;

    /// <summary>How long a blob redirect URL stays valid.</summary>
    public TimeSpan RedirectLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
