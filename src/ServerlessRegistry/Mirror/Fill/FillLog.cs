namespace ServerlessRegistry.Mirror.Fill;

/// <summary>The fill's log events (ids 520-549). Messages name the repository, digest and upstream, never a URL's query (CDN URLs carry signatures).</summary>
internal static partial class FillLog
{
    [LoggerMessage(520, LogLevel.Information, "Fill of {Digest} for {Repository} from {Upstream} started ({Path})")]
    public static partial void Started(ILogger logger, string repository, string digest, string upstream, string path);

    [LoggerMessage(521, LogLevel.Information, "Fill of {Digest} for {Repository} from {Upstream} stored {Size} bytes ({Path})")]
    public static partial void Stored(ILogger logger, string repository, string digest, string upstream, long size, string path);

    [LoggerMessage(522, LogLevel.Warning, "Fill of {Digest} failed")]
    public static partial void Failed(ILogger logger, string digest, Exception exception);

    [LoggerMessage(523, LogLevel.Error,
        "Integrity: {Upstream} served {Actual} ({Size} bytes) for {Digest} requested by {Repository}; nothing was stored and the client got an error")]
    public static partial void DigestMismatch(ILogger logger, string repository, string digest, string upstream, string actual, long size);

    [LoggerMessage(524, LogLevel.Information, "Storage would not copy {Digest} from the upstream's location; streaming it instead")]
    public static partial void CopyRefused(ILogger logger, string digest);

    [LoggerMessage(525, LogLevel.Debug, "Fill of {Digest} is running elsewhere (claimed by {Owner}); not filling here")]
    public static partial void ClaimedElsewhere(ILogger logger, string digest, string? owner);

    [LoggerMessage(526, LogLevel.Information, "The client left while {Digest} streamed through; the fill goes on without it")]
    public static partial void ClientLeft(ILogger logger, string digest);

    [LoggerMessage(527, LogLevel.Warning, "Shutting down with {Count} fills still running; they are cancelled and their blocks left to the orphan sweep")]
    public static partial void CancelledAtShutdown(ILogger logger, int count);

    [LoggerMessage(528, LogLevel.Warning, "Could not release the fill claim on {Digest}; it lapses by itself")]
    public static partial void ReleaseFailed(ILogger logger, string digest, Exception exception);

    [LoggerMessage(529, LogLevel.Warning, "A blob miss could not be answered: {Upstream} failed ({Failure})")]
    public static partial void UpstreamFailed(ILogger logger, string upstream, ServerlessRegistry.Mirror.Upstream.UpstreamFailure failure, Exception exception);

    [LoggerMessage(530, LogLevel.Information,
        "Inline store of {Digest} for {Repository} from {Upstream} abandoned ({Reason}); filling it by reading the upstream again")]
    public static partial void InlineStoreAbandoned(ILogger logger, string repository, string digest, string upstream, string reason);
}
