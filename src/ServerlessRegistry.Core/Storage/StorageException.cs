namespace ServerlessRegistry.Core.Storage;

/// <summary>Why a storage call failed, as far as the registry needs to know.</summary>
public enum StorageFailure
{
    /// <summary>The backend refused the request (a bad request, an unexpected status).</summary>
    Rejected,

    /// <summary>The backend could not be reached or did not answer in time, even after retries; try again later.</summary>
    Unavailable,

    /// <summary>The backend refused the registry's credentials or their permissions (configuration, not load).</summary>
    AccessDenied,
}

/// <summary>A storage backend failed in a way the registry cannot handle (outage, throttling, bad request, refused credentials).</summary>
public class StorageException(string message, int status = 0, string? errorCode = null, Exception? inner = null,
    StorageFailure failure = StorageFailure.Rejected)
    : Exception(message, inner)
{
    /// <summary>The backend's status code, when it has one.</summary>
    public int Status { get; } = status;

    /// <summary>The backend's error code, when it has one (for logs).</summary>
    public string? ErrorCode { get; } = errorCode;

    /// <summary>What kind of failure this is.</summary>
    public StorageFailure Failure { get; } = failure;
}

/// <summary>
/// A write's condition failed: the row or blob exists already, or has changed since it was read, or is gone.
/// The caller re-reads and decides; retrying the same write blindly is wrong.
/// </summary>
public sealed class ConcurrencyException(string message, int failedIndex = -1, Exception? inner = null)
    : StorageException(message, 412, "ConditionNotMet", inner)
{
    /// <summary>For a batch, the index of the operation that failed; -1 otherwise.</summary>
    public int FailedIndex { get; } = failedIndex;
}
