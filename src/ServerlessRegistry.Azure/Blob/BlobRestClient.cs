using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>
/// The Blob REST operations the registry uses, one method per operation. Each returns the sent message so the
/// caller can switch on the status (the pipeline never throws for a status); only transport and credential
/// failures throw, already translated to <see cref="StorageException"/>. The caller disposes the message.
/// </summary>
internal sealed class BlobRestClient
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _authority;
    private readonly string _authorityText;
    private readonly string _basePath;

    public BlobRestClient(HttpPipeline pipeline, Uri blobEndpoint, string accountName)
    {
        _pipeline = pipeline;
        AccountName = accountName;
        IsHttps = blobEndpoint.Scheme == Uri.UriSchemeHttps;
        _authorityText = blobEndpoint.GetLeftPart(UriPartial.Authority);
        _authority = new Uri(_authorityText);
        // "" on Azure; "/devstoreaccount1" on the emulator's path-style endpoint.
        _basePath = blobEndpoint.AbsolutePath.TrimEnd('/');
    }

    public string AccountName { get; }

    public bool IsHttps { get; }

    /// <summary>Builds the one pipeline and auth policy a client uses for its whole life.</summary>
    public static BlobRestClient Create(AzureStorageOptions options, TimeProvider time)
    {
        HttpPipelinePolicy auth = options.AccountKey is { } key
            ? new SharedKeyBlobPolicy(options.AccountName, Convert.FromBase64String(key), time)
            : new BearerTokenAuthenticationPolicy(
                options.Credential ?? throw new ArgumentException("AzureStorageOptions needs an AccountKey or a Credential.", nameof(options)),
                "https://storage.azure.com/.default");
        return new BlobRestClient(StoragePipeline.Build(options, auth), options.BlobEndpoint, options.AccountName);
    }

    /// <summary>The absolute, encoded URL of a blob, without a query.</summary>
    public string BlobUrl(string container, string blobName) =>
        _authorityText + BlobPath(container, blobName);

    public Task<HttpMessage> CreateContainerAsync(string container, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Put, _basePath + "/" + container, cancellationToken);
        message.Request.Uri.AppendQuery("restype", "container", escapeValue: false);
        return SendAsync(message, "Create Container", cancellationToken);
    }

    public Task<HttpMessage> DeleteContainerAsync(string container, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Delete, _basePath + "/" + container, cancellationToken);
        message.Request.Uri.AppendQuery("restype", "container", escapeValue: false);
        return SendAsync(message, "Delete Container", cancellationToken);
    }

    public Task<HttpMessage> GetContainerPropertiesAsync(string container, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Head, _basePath + "/" + container, cancellationToken);
        message.Request.Uri.AppendQuery("restype", "container", escapeValue: false);
        return SendAsync(message, "Get Container Properties", cancellationToken);
    }

    public Task<HttpMessage> PutBlockAsync(string container, string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Put, BlobPath(container, blobName), cancellationToken);
        message.Request.Uri.AppendQuery("comp", "block", escapeValue: false);
        // '+', '/' and '=' must be %-encoded: Azurite turns a literal '+' into a space before checking the id.
        message.Request.Uri.AppendQuery("blockid", Uri.EscapeDataString(blockId), escapeValue: false);
        // Memory content is rewindable, so the pipeline can retry it without another copy.
        message.Request.Content = RequestContent.Create(content);
        return SendAsync(message, "Put Block", cancellationToken);
    }

    public Task<HttpMessage> PutBlockListAsync(string container, string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Put, BlobPath(container, blobName), cancellationToken);
        var request = message.Request;
        request.Uri.AppendQuery("comp", "blocklist", escapeValue: false);
        // Put Block List clears every property it is not sent, so the content type goes on every commit.
        request.Headers.SetValue("x-ms-blob-content-type", contentType);
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(BlobXml.BlockList(blockIds));
        return SendAsync(message, "Put Block List", cancellationToken);
    }

    /// <summary>Put Blob that only succeeds when no committed blob of that name exists (If-None-Match: *).</summary>
    public Task<HttpMessage> PutBlobIfAbsentAsync(string container, string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Put, BlobPath(container, blobName), cancellationToken);
        var request = message.Request;
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        request.Headers.SetValue("x-ms-blob-content-type", contentType);
        request.Headers.SetValue("If-None-Match", "*");
        request.Content = RequestContent.Create(content);
        return SendAsync(message, "Put Blob", cancellationToken);
    }

    public Task<HttpMessage> GetBlobAsync(string container, string blobName, CancellationToken cancellationToken) =>
        SendAsync(Create(RequestMethod.Get, BlobPath(container, blobName), cancellationToken), "Get Blob", cancellationToken);

    public Task<HttpMessage> GetBlobRangeAsync(string container, string blobName, long offset, int length, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Get, BlobPath(container, blobName), cancellationToken);
        message.Request.Headers.SetValue("x-ms-range", $"bytes={offset}-{offset + length - 1}");
        return SendAsync(message, "Get Blob", cancellationToken);
    }

    public Task<HttpMessage> DeleteBlobAsync(string container, string blobName, CancellationToken cancellationToken) =>
        SendAsync(Create(RequestMethod.Delete, BlobPath(container, blobName), cancellationToken), "Delete Blob", cancellationToken);

    public Task<HttpMessage> ListBlobsAsync(
        string container, string prefix, string? marker, int maxResults, bool includeUncommitted, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Get, _basePath + "/" + container, cancellationToken);
        var uri = message.Request.Uri;
        uri.AppendQuery("restype", "container", escapeValue: false);
        uri.AppendQuery("comp", "list", escapeValue: false);
        if (prefix.Length > 0)
        {
            uri.AppendQuery("prefix", Uri.EscapeDataString(prefix), escapeValue: false);
        }

        if (marker is not null)
        {
            uri.AppendQuery("marker", Uri.EscapeDataString(marker), escapeValue: false);
        }

        uri.AppendQuery("maxresults", maxResults.ToString(CultureInfo.InvariantCulture), escapeValue: false);
        if (includeUncommitted)
        {
            uri.AppendQuery("include", "uncommittedblobs", escapeValue: false);
        }

        return SendAsync(message, "List Blobs", cancellationToken);
    }

    /// <summary>Get User Delegation Key. Only a bearer-token pipeline is allowed to call it.</summary>
    public Task<HttpMessage> GetUserDelegationKeyAsync(string start, string expiry, CancellationToken cancellationToken)
    {
        var message = Create(RequestMethod.Post, _basePath.Length == 0 ? "/" : _basePath, cancellationToken);
        var request = message.Request;
        request.Uri.AppendQuery("restype", "service", escapeValue: false);
        request.Uri.AppendQuery("comp", "userdelegationkey", escapeValue: false);
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(BlobXml.KeyInfo(start, expiry));
        return SendAsync(message, "Get User Delegation Key", cancellationToken);
    }

    private string BlobPath(string container, string blobName)
    {
        // Layout names use '/' as a separator: escape each segment and keep the separators.
        var segments = blobName.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = Uri.EscapeDataString(segments[i]);
        }

        return _basePath + "/" + container + "/" + string.Join('/', segments);
    }

    private HttpMessage Create(RequestMethod method, string path, CancellationToken cancellationToken)
    {
        var message = _pipeline.CreateMessage(new RequestContext { ErrorOptions = ErrorOptions.NoThrow, CancellationToken = cancellationToken });
        message.Request.Method = method;
        // Set the parts, not Reset(uri): Reset caches that Uri, and a later Path assignment does not replace it.
        var uri = message.Request.Uri;
        uri.Scheme = _authority.Scheme;
        uri.Host = _authority.Host;
        uri.Port = _authority.Port;
        uri.Path = path;
        return message;
    }

    private async Task<HttpMessage> SendAsync(HttpMessage message, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return message;
        }
        catch (RequestFailedException e)
        {
            // Only transport failures get here (NoThrow): the service never answered.
            message.Dispose();
            throw new StorageException($"Blob storage {operation} failed: {e.Message}", e.Status, e.ErrorCode, e);
        }
        catch (AuthenticationFailedException e)
        {
            message.Dispose();
            throw new StorageException($"Blob storage {operation} could not get a token: {e.Message}", 0, null, e);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }
}
