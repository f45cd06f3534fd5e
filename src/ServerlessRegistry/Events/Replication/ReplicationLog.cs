namespace ServerlessRegistry.Events.Replication;

/// <summary>Replication's log lines (event ids 780–789). Hosts, paths and digests only: never credentials or tokens.</summary>
internal static partial class ReplicationLog
{
    [LoggerMessage(780, LogLevel.Information, "Replication {Rule}: copied {Repository}:{Tag} ({Digest}) to {Destination}: {Manifests} manifests and {Blobs} blobs ({Bytes} bytes) pushed")]
    public static partial void Copied(ILogger logger, string rule, string repository, string tag, string digest, string destination, int manifests, int blobs, long bytes);

    [LoggerMessage(781, LogLevel.Information, "Replication {Rule}: {Repository}:{Tag} is no longer here; nothing to copy")]
    public static partial void TagGone(ILogger logger, string rule, string repository, string tag);

    [LoggerMessage(782, LogLevel.Warning, "Replication {Rule}: {Destination} refused {Method} {Path} ({Status})")]
    public static partial void Refused(ILogger logger, string rule, string destination, string method, string path, int status);

    [LoggerMessage(783, LogLevel.Warning, "Replication {Rule}: the token service {Realm} refused ({Status})")]
    public static partial void TokenRefused(ILogger logger, string rule, string realm, int status);

    [LoggerMessage(784, LogLevel.Warning, "Replication {Rule}: index {Digest} in {Repository} names child {Child}, which is not stored here; it is not copied")]
    public static partial void ChildMissing(ILogger logger, string rule, string repository, string digest, string child);

    [LoggerMessage(785, LogLevel.Warning, "Replication {Rule}: copying {Repository}:{Tag} failed: {Reason}")]
    public static partial void SyncFailed(ILogger logger, string rule, string repository, string tag, string reason);

    [LoggerMessage(786, LogLevel.Information, "Replication sync finished: {Summary}")]
    public static partial void SyncFinished(ILogger logger, string summary);

    [LoggerMessage(788, LogLevel.Information, "Replication {Rule}: copied {Repository}@{Digest} to {Destination}: {Manifests} manifests and {Blobs} blobs ({Bytes} bytes) pushed")]
    public static partial void CopiedDigest(ILogger logger, string rule, string repository, string digest, string destination, int manifests, int blobs, long bytes);

    [LoggerMessage(787, LogLevel.Information, "Replication {Rule}: {Repository}@{Digest} waits for its subject {Subject}, which the destination does not have; it goes with the subject's copy or the next sync")]
    public static partial void SubjectAbsent(ILogger logger, string rule, string repository, string digest, string subject);
}
