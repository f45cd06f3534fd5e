using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// The "Storage" configuration section. With an AccountKey the registry signs with Shared Key (Azurite);
/// without one it uses the managed identity or DefaultAzureCredential (Azure, shared-key access off).
/// </summary>
internal sealed class StorageSettings
{
    /// <summary>Which backend implements the storage ports. Only "azure" exists today (Azurite included).</summary>
    public string Backend { get; set; } = "azure";

    /// <summary>Defaults to https://{AccountName}.blob.core.windows.net.</summary>
    public Uri? BlobEndpoint { get; set; }

    /// <summary>Defaults to https://{AccountName}.table.core.windows.net.</summary>
    public Uri? TableEndpoint { get; set; }

    /// <summary>Defaults to https://{AccountName}.queue.core.windows.net. Used only when events are configured.</summary>
    public Uri? QueueEndpoint { get; set; }

    public string? AccountName { get; set; }

    public string? AccountKey { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for system-assigned or developer credentials.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Names the container and prefixes the tables (see StorageLayout).</summary>
    public string Prefix { get; set; } = "registry";

    /// <summary>
    /// Registers the account's clients (one set per process) and the storage ports built on them.
    /// Creates clients only when first resolved, and makes no request.
    /// </summary>
    /// <remarks>The section is bound and checked with the other options (<see cref="OptionsChecks"/>).</remarks>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StorageSettings>>().Value);
        // Extra pipeline policies (a request counter in benchmarks and tests) come from the container.
        services.AddSingleton(sp => sp.GetRequiredService<StorageSettings>()
            .CreateAzure(sp.GetRequiredService<TimeProvider>(), [.. sp.GetServices<HttpPipelinePolicy>()]));
        services.AddSingleton(sp => sp.GetRequiredService<StorageSettings>().Create(sp));
        services.AddSingleton(sp => sp.GetRequiredService<StorageSettings>().CreateQueues(sp));
    }

    /// <summary>Builds the storage ports for the configured backend.</summary>
    private RegistryStorage Create(IServiceProvider services)
    {
        var layout = new StorageLayout(Prefix);
        switch (Backend.ToLowerInvariant())
        {
            case "azure":
                var azure = services.GetRequiredService<AzureStorage>();
                return new RegistryStorage(layout, azure.CreateBlobStore(layout), azure.CreateMetadataStore());
            default:
                throw new InvalidOperationException($"Unknown storage backend '{Backend}'.");
        }
    }

    /// <summary>The queue port for the configured backend; no request until a call.</summary>
    private IQueueStore CreateQueues(IServiceProvider services) => Backend.ToLowerInvariant() switch
    {
        "azure" => services.GetRequiredService<AzureStorage>().CreateQueueStore(),
        _ => throw new InvalidOperationException($"Unknown storage backend '{Backend}'."),
    };

    /// <summary>
    /// The Blob, Table and Queue clients of the account: the emulator's key when one is configured, else a token from the
    /// managed identity (or the developer's sign-in), fetched on the first request.
    /// </summary>
    private AzureStorage CreateAzure(TimeProvider time, IReadOnlyList<HttpPipelinePolicy> additionalPolicies)
    {
        var account = AccountName ?? throw new InvalidOperationException("Storage:AccountName is required.");
        var options = new AzureStorageOptions
        {
            BlobEndpoint = BlobEndpoint ?? new Uri($"https://{account}.blob.core.windows.net"),
            TableEndpoint = TableEndpoint ?? new Uri($"https://{account}.table.core.windows.net"),
            QueueEndpoint = QueueEndpoint ?? new Uri($"https://{account}.queue.core.windows.net"),
            AccountName = account,
            AccountKey = string.IsNullOrEmpty(AccountKey) ? null : AccountKey,
            Credential = string.IsNullOrEmpty(AccountKey)
                ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ManagedIdentityClientId })
                : null,
            AdditionalPolicies = additionalPolicies,
        };
        return new AzureStorage(options, time);
    }
}
