using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ServerlessRegistry.Azure.Blob;
using ServerlessRegistry.Azure.Queue;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure;

/// <summary>
/// The account's service clients (blob, table, queue), built once per process and shared by every store on that account.
/// Creating it performs no I/O: tokens, containers and tables are fetched or created on first use.
/// </summary>
/// <remarks>
/// Retries are kept short so an outage answers within seconds: 3 tries (2 retries), exponential back-off from
/// 0.2 s capped at 1 s, 30 s per try (a 4 MiB block needs ≥ 140 KiB/s), 5 s to connect. Afterwards the
/// adapters report <see cref="StorageFailure.Unavailable"/>.
/// </remarks>
public sealed class AzureStorage
{
    /// <summary>Transfers reuse pooled connections across both clients; uploads keep several Put Blocks in flight.</summary>
    private static readonly Lazy<HttpPipelineTransport> SharedTransport = new(() => new HttpClientTransport(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
    }));

    private readonly TimeProvider _time;

    public AzureStorage(AzureStorageOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Options = options;
        _time = time;
        Errors = new StorageErrors(options.AccountName);

        // The blob service version is pinned to one Azurite (≥ 3.34) and Azure both accept.
        var blobOptions = Configure(new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_05_05), options);
        // Block content is already covered by TLS and by the registry's own digest: no per-request MD5/CRC64 pass.
        blobOptions.TransferValidation.Upload.ChecksumAlgorithm = StorageChecksumAlgorithm.None;
        blobOptions.TransferValidation.Download.ChecksumAlgorithm = StorageChecksumAlgorithm.None;
        blobOptions.TransferValidation.Download.AutoValidateChecksum = false;
        var tableOptions = Configure(new TableClientOptions(), options);
        // Base64, as the Functions queue trigger decodes by default; the version is one Azurite (≥ 3.34) accepts.
        var queueOptions = Configure(new QueueClientOptions(QueueClientOptions.ServiceVersion.V2025_05_05), options);
        queueOptions.MessageEncoding = QueueMessageEncoding.Base64;
        var queueEndpoint = options.QueueEndpoint ?? new Uri($"https://{options.AccountName}.queue.core.windows.net");

        if (options.AccountKey is { } key)
        {
            SharedKey = new StorageSharedKeyCredential(options.AccountName, key);
            Blobs = new BlobServiceClient(options.BlobEndpoint, SharedKey, blobOptions);
            Tables = new TableServiceClient(options.TableEndpoint, new TableSharedKeyCredential(options.AccountName, key), tableOptions);
            Queues = new QueueServiceClient(queueEndpoint, SharedKey, queueOptions);
        }
        else
        {
            var credential = options.Credential
                ?? throw new ArgumentException("Either AccountKey or Credential is required.", nameof(options));
            Blobs = new BlobServiceClient(options.BlobEndpoint, credential, blobOptions);
            Tables = new TableServiceClient(options.TableEndpoint, credential, tableOptions);
            Queues = new QueueServiceClient(queueEndpoint, credential, queueOptions);
        }
    }

    public AzureStorageOptions Options { get; }

    internal BlobServiceClient Blobs { get; }

    internal TableServiceClient Tables { get; }

    internal QueueServiceClient Queues { get; }

    /// <summary>Set in emulator mode only: signs service SAS read URLs.</summary>
    internal StorageSharedKeyCredential? SharedKey { get; }

    internal StorageErrors Errors { get; }

    /// <summary>
    /// A blob store on the container <see cref="StorageLayout.Container"/>, created on first write. Read URLs are
    /// service SAS with the emulator key, otherwise user-delegation SAS (at most one day long).
    /// </summary>
    public IBlobStore CreateBlobStore(StorageLayout layout) => CreateBlobStore(layout, AzureBlobStore.DefaultListPageSize);

    /// <summary>As the public overload, with a smaller List Blobs page so tests can exercise paging.</summary>
    internal AzureBlobStore CreateBlobStore(StorageLayout layout, int listPageSize)
    {
        ArgumentNullException.ThrowIfNull(layout);
        IBlobReadSigner signer = SharedKey is { } key
            ? new ServiceSasSigner(key, _time)
            : new UserDelegationSasSigner(Blobs, Errors, _time);
        return new AzureBlobStore(Blobs.GetBlobContainerClient(layout.Container), signer, Errors, listPageSize);
    }

    /// <summary>The metadata store on this account's table service.</summary>
    public AzureMetadataStore CreateMetadataStore() => new(Tables, Errors);

    /// <summary>The queue store on this account's queue service. Queues are created by their first message.</summary>
    public IQueueStore CreateQueueStore() => CreateAzureQueueStore();

    /// <summary>As <see cref="CreateQueueStore"/>, with the clean-up operations tests use.</summary>
    internal AzureQueueStore CreateAzureQueueStore() => new(Queues, Errors);

    /// <summary>Shortcut for tools and tests that need one store and no shared clients.</summary>
    public static IBlobStore CreateBlobStore(AzureStorageOptions options, StorageLayout layout, TimeProvider time) =>
        new AzureStorage(options, time).CreateBlobStore(layout);

    private static T Configure<T>(T clientOptions, AzureStorageOptions options) where T : ClientOptions
    {
        clientOptions.Transport = options.Transport ?? SharedTransport.Value;
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        // Storage logs carry SAS and key material in URLs; keep Azure.Core's own logging quiet.
        clientOptions.Diagnostics.IsLoggingEnabled = false;
        clientOptions.Diagnostics.IsDistributedTracingEnabled = false;
        clientOptions.Diagnostics.IsTelemetryEnabled = false;
        foreach (var policy in options.AdditionalPolicies)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        return clientOptions;
    }
}
