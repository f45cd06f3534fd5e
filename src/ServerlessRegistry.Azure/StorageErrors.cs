using Azure;
using Azure.Identity;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure;

/// <summary>
/// Turns what the Azure clients throw into <see cref="StorageException"/>: unreachable or overloaded storage is
/// <see cref="StorageFailure.Unavailable"/>, refused credentials are <see cref="StorageFailure.AccessDenied"/> (the same
/// message for both services), any other refusal is <see cref="StorageFailure.Rejected"/>. The adapters decide
/// absent and conflict themselves before calling this.
/// </summary>
internal sealed class StorageErrors(string accountName)
{
    /// <summary>
    /// Whether <paramref name="e"/> is a storage failure to translate. The caller's own cancellation is not: it
    /// propagates as it is. Any other cancellation is a timeout inside the client.
    /// </summary>
    public static bool IsStorageFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        RequestFailedException or AuthenticationFailedException or AggregateException or HttpRequestException or IOException
            or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    public StorageException Translate(Exception e, string operation) => e switch
    {
        RequestFailedException { Status: 401 or 403 } r => AccessDenied(operation, r.Status, r.ErrorCode, r),
        AuthenticationFailedException => AccessDenied(operation, 0, null, e),
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } r =>
            new StorageException($"{operation}: storage account '{accountName}' did not answer ({r.Status} {r.ErrorCode ?? Inner(r)}).",
                r.Status, r.ErrorCode, r, StorageFailure.Unavailable),
        RequestFailedException r =>
            new StorageException($"{operation}: storage account '{accountName}' refused the request ({r.Status} {r.ErrorCode}).",
                r.Status, r.ErrorCode, r),
        // Exhausted retries (AggregateException), refused connections, resets and timeouts.
        _ => new StorageException($"{operation}: storage account '{accountName}' is unreachable ({Inner(e)}).", 0, null, e,
            StorageFailure.Unavailable),
    };

    private StorageException AccessDenied(string operation, int status, string? code, Exception e) => new(
        $"{operation}: storage account '{accountName}' refused the registry's credentials ({(status == 0 ? Inner(e) : $"{status} {code}")}). " +
        "Check that the identity (managed identity client id, or the signed-in developer) holds 'Storage Blob Data Contributor' " +
        "and 'Storage Table Data Contributor' (and, with events, 'Storage Queue Data Contributor') on the account, and that the endpoints name this account.",
        status, code, e, StorageFailure.AccessDenied);

    /// <summary>The innermost message: the one that says "connection refused" rather than "retry failed".</summary>
    private static string Inner(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: > 0 } a)
        {
            e = a.InnerExceptions[^1];
        }

        return e.GetBaseException().Message;
    }
}
