using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>
/// <see cref="IBlobStore"/> on one Azure Blob container. Translates every answer here: 404 is absent,
/// "already exists" is <c>false</c>, anything else unexpected is a <see cref="StorageException"/>.
/// </summary>
/// <remarks>
/// The container is not created up front: a write that finds it missing creates it and retries once, so a
/// store costs no I/O until used and an existing container costs no extra call.
/// </remarks>
internal sealed class AzureBlobStore : IBlobStore
{
    /// <summary>The service's largest page.</summary>
    public const int DefaultListPageSize = 5000;

    private readonly BlobContainerClient _container;
    private readonly IBlobReadSigner _signer;
    private readonly StorageErrors _errors;
    private readonly int _listPageSize;

    public AzureBlobStore(BlobContainerClient container, IBlobReadSigner signer, StorageErrors errors, int listPageSize = DefaultListPageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(listPageSize, DefaultListPageSize);
        _container = container;
        _signer = signer;
        _errors = errors;
        _listPageSize = listPageSize;
    }

    public Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WithContainerAsync("Put Block", async () =>
        {
            // A read-only view over the caller's (pooled) buffer: the SDK sends it without copying, and rewinds it to retry.
            using var stream = AsStream(content);
            await _container.GetBlockBlobClient(blobName).StageBlockAsync(blockId, stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> StageBlockFromUriAsync(string blobName, string blockId, Uri source, long offset, long length, CancellationToken cancellationToken) =>
        WithContainerAsync("Put Block From URL", async () =>
        {
            var options = new StageBlockFromUriOptions { SourceRange = new HttpRange(offset, length) };
            try
            {
                await _container.GetBlockBlobClient(blobName).StageBlockFromUriAsync(source, blockId, options, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (CopySourceRefused(e))
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>
    /// The service would not read the source. Azure answers CannotVerifyCopySource when the source is unreachable or
    /// answers an error (an expired or missing SAS included; x-ms-copy-source-status-code says which). Azurite ≥ 3.37
    /// answers CannotVerifyCopySource with status 404 for any source outside its own instance, and older Azurite 501
    /// NotImplemented. The header codes cover a service that rejects the copy headers themselves. Storage itself being
    /// down or refusing our credentials is not a refusal of the source and stays a <see cref="StorageException"/>.
    /// </summary>
    private static bool CopySourceRefused(RequestFailedException e) =>
        e.ErrorCode is "CannotVerifyCopySource" or "InvalidSourceBlobUrl" or "InvalidSourceBlobType" or "UnsupportedHeader"
            or "InvalidHeaderValue" or "NotImplemented"
        || e.Status == 501;

    public Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken) =>
        // A never-staged block is 400 InvalidBlockList and surfaces as a StorageException, as the contract says.
        WithContainerAsync("Put Block List", async () =>
        {
            var options = new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } };
            await _container.GetBlockBlobClient(blobName).CommitBlockListAsync(blockIds, options, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        WithContainerAsync("Put Blob", async () =>
        {
            var options = new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            };
            try
            {
                using var stream = AsStream(content);
                await _container.GetBlockBlobClient(blobName).UploadAsync(stream, options, cancellationToken).ConfigureAwait(false);
                return true;
            }
            // If-None-Match: * on an existing blob: Azure and Azurite say 409 BlobAlreadyExists, the docs say 412.
            catch (RequestFailedException e) when (e.Status == 412 || e.ErrorCode == BlobErrorCode.BlobAlreadyExists)
            {
                return false;
            }
        }, cancellationToken);

    public async Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // BlobNotFound or ContainerNotFound
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, "Get Blob");
        }
    }

    public async Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(offset, length) };
            var result = await _container.GetBlobClient(blobName).DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return []; // InvalidRange: the offset is at or past the end (an empty blob included)
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, "Get Blob");
        }
    }

    public async Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            await _container.GetBlobClient(blobName).DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, "Delete Blob");
        }
    }

    public async ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var blob = _container.GetBlobClient(blobName);
        var sas = await _signer.SignReadAsync(blob.Uri, _container.Name, blobName, lifetime, cancellationToken).ConfigureAwait(false);
        return new UriBuilder(blob.Uri) { Query = sas }.Uri;
    }

    /// <remarks>
    /// List Blobs has no "committed" flag: with uncommitted blobs included a committed blob and an uncommitted-only one
    /// look alike. So this walks two listings side by side, everything and committed only, both in name order; a
    /// name missing from the second is uncommitted. The second listing is paged only as far as the first needs.
    /// </remarks>
    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var all = ListPagesAsync(prefix, BlobStates.Uncommitted, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var allScope = all.ConfigureAwait(false);
        var committed = ListPagesAsync(prefix, BlobStates.None, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var committedScope = committed.ConfigureAwait(false);

        StoredBlob? next = null;
        var committedDone = false;
        while (await all.MoveNextAsync().ConfigureAwait(false))
        {
            var blob = all.Current;
            while (!committedDone && (next is null || string.CompareOrdinal(next.Name, blob.Name) < 0))
            {
                committedDone = !await committed.MoveNextAsync().ConfigureAwait(false);
                next = committedDone ? null : committed.Current;
            }

            yield return next is not null && next.Name == blob.Name
                ? next
                : blob with { Length = 0, Committed = false };
        }
    }

    private async IAsyncEnumerable<StoredBlob> ListPagesAsync(string prefix, BlobStates states, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { States = states, Prefix = prefix }, cancellationToken)
            .AsPages(pageSizeHint: _listPageSize).GetAsyncEnumerator(cancellationToken);
        await using var scope = pages.ConfigureAwait(false);
        while (true)
        {
            // A page may be empty and still carry a continuation: the SDK keeps paging until there is none.
            try
            {
                if (!await pages.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                yield break; // no container yet: nothing to list
            }
            catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
            {
                throw _errors.Translate(e, "List Blobs");
            }

            foreach (var item in pages.Current.Values)
            {
                yield return new StoredBlob(item.Name, item.Properties.ContentLength ?? 0,
                    item.Properties.LastModified ?? DateTimeOffset.MinValue, Committed: true);
            }
        }
    }

    /// <summary>
    /// Runs a write; when it fails only because the container does not exist yet, creates the container (a
    /// concurrent creator's 409 is just as good) and runs the write once more. Translates every other failure.
    /// </summary>
    private async Task<T> WithContainerAsync<T>(string operation, Func<Task<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                return await write().ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return await write().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, operation);
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
