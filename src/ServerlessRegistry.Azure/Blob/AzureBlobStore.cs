using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
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

    private readonly BlobRestClient _rest;
    private readonly IBlobReadSigner _signer;
    private readonly string _container;
    private readonly int _listPageSize;

    public AzureBlobStore(BlobRestClient rest, IBlobReadSigner signer, string container, int listPageSize = DefaultListPageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(listPageSize, DefaultListPageSize);
        _rest = rest;
        _signer = signer;
        _container = container;
        _listPageSize = listPageSize;
    }

    public async Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = await _rest.PutBlockAsync(_container, blobName, blockId, content, cancellationToken).ConfigureAwait(false);
            if (message.Response.Status == 201)
            {
                return;
            }

            if (!await CreatedMissingContainerAsync(message.Response, attempt, cancellationToken).ConfigureAwait(false))
            {
                throw BlobErrors.Failure("Put Block", message.Response);
            }
        }
    }

    public async Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = await _rest.PutBlockListAsync(_container, blobName, blockIds, contentType, cancellationToken).ConfigureAwait(false);
            if (message.Response.Status == 201)
            {
                return;
            }

            // A never-staged block is 400 InvalidBlockList and lands here as a StorageException, as the contract says.
            if (!await CreatedMissingContainerAsync(message.Response, attempt, cancellationToken).ConfigureAwait(false))
            {
                throw BlobErrors.Failure("Put Block List", message.Response);
            }
        }
    }

    public async Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = await _rest.PutBlobIfAbsentAsync(_container, blobName, content, contentType, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            switch (response.Status)
            {
                case 201:
                    return true;
                // If-None-Match: * on an existing blob: Azure and Azurite say 409 BlobAlreadyExists, the docs say 412.
                case 412:
                case 409 when BlobErrors.Code(response) == "BlobAlreadyExists":
                    return false;
            }

            if (!await CreatedMissingContainerAsync(response, attempt, cancellationToken).ConfigureAwait(false))
            {
                throw BlobErrors.Failure("Put Blob", response);
            }
        }
    }

    public async Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken)
    {
        using var message = await _rest.GetBlobAsync(_container, blobName, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            200 => message.Response.Content.ToArray(),
            404 => null, // BlobNotFound or ContainerNotFound
            _ => throw BlobErrors.Failure("Get Blob", message.Response),
        };
    }

    public async Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        using var message = await _rest.GetBlobRangeAsync(_container, blobName, offset, length, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            200 or 206 => message.Response.Content.ToArray(),
            404 => null,
            416 => [], // InvalidRange: the offset is at or past the end (an empty blob included)
            _ => throw BlobErrors.Failure("Get Blob", message.Response),
        };
    }

    public async Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken)
    {
        using var message = await _rest.DeleteBlobAsync(_container, blobName, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw BlobErrors.Failure("Delete Blob", message.Response),
        };
    }

    public async ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var query = await _signer.SignReadAsync(_container, blobName, lifetime, cancellationToken).ConfigureAwait(false);
        return new Uri(_rest.BlobUrl(_container, blobName) + "?" + query);
    }

    /// <remarks>
    /// List Blobs has no "committed" flag: with include=uncommittedblobs a committed blob and an uncommitted-only one
    /// look alike. So this walks two listings side by side, everything and committed only, both in name order; a
    /// name missing from the second is uncommitted. The second listing is paged only as far as the first needs.
    /// </remarks>
    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var all = ListPagesAsync(prefix, includeUncommitted: true, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var allScope = all.ConfigureAwait(false);
        var committed = ListPagesAsync(prefix, includeUncommitted: false, cancellationToken).GetAsyncEnumerator(cancellationToken);
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

    private async IAsyncEnumerable<StoredBlob> ListPagesAsync(
        string prefix, bool includeUncommitted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            BlobListPage page;
            using (var message = await _rest.ListBlobsAsync(_container, prefix, marker, _listPageSize, includeUncommitted, cancellationToken)
                       .ConfigureAwait(false))
            {
                page = message.Response.Status switch
                {
                    200 => BlobXml.ParseList(message.Response.ContentStream ?? Stream.Null),
                    404 => new BlobListPage([], null), // no container yet: nothing to list
                    _ => throw BlobErrors.Failure("List Blobs", message.Response),
                };
            }

            // A page may be empty and still carry a NextMarker: only the marker ends the listing.
            foreach (var blob in page.Blobs)
            {
                yield return blob;
            }

            marker = page.NextMarker;
        }
        while (marker is not null);
    }

    /// <summary>
    /// True when a first attempt failed only because the container does not exist yet, and it now does
    /// (created here, or by a concurrent writer: 409 is fine).
    /// </summary>
    private async ValueTask<bool> CreatedMissingContainerAsync(Response response, int attempt, CancellationToken cancellationToken)
    {
        if (attempt > 0 || !BlobErrors.IsContainerNotFound(response))
        {
            return false;
        }

        using var message = await _rest.CreateContainerAsync(_container, cancellationToken).ConfigureAwait(false);
        return message.Response.Status switch
        {
            201 => true,
            409 when BlobErrors.Code(message.Response) == "ContainerAlreadyExists" => true,
            _ => throw BlobErrors.Failure("Create Container", message.Response),
        };
    }
}
