namespace ServerlessRegistry.Cli;

/// <summary>
/// The storage the command line uses when no Storage settings are given: the Azurite that scripts/run-local.sh
/// starts with its default ports. scripts/run-local.sh repeats these values; a test keeps the two equal.
/// </summary>
internal static class LocalEmulator
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known development key (public; it opens only a local emulator).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const int BlobPort = 10000;

    public const int QueuePort = 10001;

    public const int TablePort = 10002;

    public static readonly string BlobEndpoint = $"http://127.0.0.1:{BlobPort}/{AccountName}";

    public static readonly string TableEndpoint = $"http://127.0.0.1:{TablePort}/{AccountName}";

    public static readonly string QueueEndpoint = $"http://127.0.0.1:{QueuePort}/{AccountName}";

    public static IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Storage:AccountName", AccountName),
        new("Storage:AccountKey", AccountKey),
        new("Storage:BlobEndpoint", BlobEndpoint),
        new("Storage:TableEndpoint", TableEndpoint),
        new("Storage:QueueEndpoint", QueueEndpoint),
    ];

    /// <summary>True when the blob endpoint is on this machine: an emulator, where a short grace period harms no one.</summary>
    public static bool IsLocal(string? blobEndpoint) =>
        Uri.TryCreate(blobEndpoint, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
