using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Table;

/// <summary>
/// The Table REST calls the metadata store needs, one method per operation, on one Azure.Core pipeline.
/// Returns the sent message with its buffered response (never throws for HTTP statuses): deciding what a
/// status means is the store's job, and disposing the message is the caller's.
/// </summary>
internal sealed class TableRestClient
{
    private const string MinimalMetadata = "application/json;odata=minimalmetadata";
    private readonly HttpPipeline _pipeline;
    private readonly string _endpoint;

    public TableRestClient(AzureStorageOptions options, TimeProvider time)
    {
        HttpPipelinePolicy auth = options.AccountKey is { } key
            ? new SharedKeyTablePolicy(options.AccountName, key, time)
            : new BearerTokenAuthenticationPolicy(
                options.Credential ?? throw new ArgumentException("Either AccountKey or Credential is required.", nameof(options)),
                "https://storage.azure.com/.default");
        _pipeline = StoragePipeline.Build(options, auth);
        _endpoint = options.TableEndpoint.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>Absolute URL of a table, as batch sub-requests need it.</summary>
    public string TableUrl(string table) => _endpoint + "/" + table;

    public Task<HttpMessage> GetEntityAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Get, TableAddress.EntityPath(table, partitionKey, rowKey), null, null, cancellationToken);

    public Task<HttpMessage> QueryAsync(string table, string queryString, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Get, table + "()" + (queryString.Length > 0 ? "?" + queryString : ""), null, null, cancellationToken);

    public Task<HttpMessage> InsertAsync(string table, byte[] entity, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Post, table, Json(entity), null, cancellationToken);

    /// <summary>Replace with <paramref name="ifMatch"/>, or insert-or-replace when it is null.</summary>
    public Task<HttpMessage> PutAsync(string table, string partitionKey, string rowKey, byte[] entity, string? ifMatch,
        CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Put, TableAddress.EntityPath(table, partitionKey, rowKey), Json(entity), ifMatch, cancellationToken);

    public Task<HttpMessage> DeleteAsync(string table, string partitionKey, string rowKey, string ifMatch, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Delete, TableAddress.EntityPath(table, partitionKey, rowKey), null, ifMatch, cancellationToken);

    public Task<HttpMessage> CreateTableAsync(string table, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Post, "Tables", Json(Encoding.UTF8.GetBytes($"{{\"TableName\":\"{table}\"}}")), null, cancellationToken);

    public Task<HttpMessage> QueryTablesAsync(string queryString, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Get, "Tables" + (queryString.Length > 0 ? "?" + queryString : ""), null, null, cancellationToken);

    public Task<HttpMessage> DeleteTableAsync(string table, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Delete, $"Tables('{table}')", null, null, cancellationToken);

    public Task<HttpMessage> BatchAsync(string contentType, byte[] body, CancellationToken cancellationToken) =>
        SendAsync(RequestMethod.Post, "$batch", (contentType, body), null, cancellationToken);

    private static (string, byte[]) Json(byte[] body) => ("application/json", body);

    private async Task<HttpMessage> SendAsync(RequestMethod method, string relativePath, (string ContentType, byte[] Bytes)? content,
        string? ifMatch, CancellationToken cancellationToken)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(_endpoint + "/" + relativePath));
        request.Headers.SetValue("Accept", MinimalMetadata);
        request.Headers.SetValue("DataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        if (content is var (contentType, bytes))
        {
            request.Headers.SetValue("Content-Type", contentType);
            request.Content = RequestContent.Create(bytes);
        }

        if (method != RequestMethod.Get)
        {
            request.Headers.SetValue("Prefer", "return-no-content");
        }

        if (ifMatch is not null)
        {
            request.Headers.SetValue("If-Match", ifMatch);
        }

        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return message;
        }
        catch (RequestFailedException e)
        {
            // Transport failures (after retries) surface as RequestFailedException; keep Azure types inside.
            message.Dispose();
            throw new StorageException($"{method} {relativePath} failed: {e.Message}", e.Status, e.ErrorCode, e);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }
}
