using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Azure;

/// <summary>
/// How to reach one storage account. With <see cref="AccountKey"/> the clients sign with Shared Key and read URLs
/// are service SAS (Azurite); without it they carry a bearer token from <see cref="Credential"/> and read URLs are
/// user-delegation SAS (Azure, where shared-key access is off).
/// </summary>
public sealed class AzureStorageOptions
{
    /// <summary>Blob service endpoint, e.g. https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1.</summary>
    public required Uri BlobEndpoint { get; init; }

    /// <summary>Table service endpoint, e.g. https://acct.table.core.windows.net or http://127.0.0.1:10002/devstoreaccount1.</summary>
    public required Uri TableEndpoint { get; init; }

    /// <summary>
    /// Queue service endpoint, e.g. https://acct.queue.core.windows.net or http://127.0.0.1:10001/devstoreaccount1;
    /// null means https://{AccountName}.queue.core.windows.net.
    /// </summary>
    public Uri? QueueEndpoint { get; init; }

    public required string AccountName { get; init; }

    /// <summary>Base64 account key, for the emulator only. Null means token auth through <see cref="Credential"/>.</summary>
    public string? AccountKey { get; init; }

    /// <summary>Used when <see cref="AccountKey"/> is null. Asked for a token on the first request, not before.</summary>
    public TokenCredential? Credential { get; init; }

    /// <summary>Extra per-call policies (e.g. a request counter for benchmarks and tests); a retried call passes once.</summary>
    public IReadOnlyList<HttpPipelinePolicy> AdditionalPolicies { get; init; } = [];

    /// <summary>Transport override; null uses a shared pooled SocketsHttpHandler.</summary>
    public HttpPipelineTransport? Transport { get; init; }

    /// <summary>Builds options for the local emulator from its endpoints (the queue one only where queues are used).</summary>
    public static AzureStorageOptions ForEmulator(Uri blobEndpoint, Uri tableEndpoint, string accountName, string accountKey, Uri? queueEndpoint = null) => new()
    {
        BlobEndpoint = blobEndpoint,
        TableEndpoint = tableEndpoint,
        QueueEndpoint = queueEndpoint,
        AccountName = accountName,
        AccountKey = accountKey,
    };
}
