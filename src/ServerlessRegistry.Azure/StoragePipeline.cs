using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Azure;

/// <summary>
/// Builds the one Azure.Core pipeline each REST client uses: pinned service version, retries, the caller's
/// extra policies, and an auth policy that re-signs every retry (Shared Key needs a fresh x-ms-date).
/// </summary>
internal static class StoragePipeline
{
    /// <summary>
    /// The REST version every request and SAS uses. 2025-05-05 is accepted by Azure and by Azurite ≥ 3.34,
    /// and keeps the 24-line user-delegation SAS layout.
    /// </summary>
    public const string ServiceVersion = "2025-05-05";

    private static readonly Lazy<HttpPipelineTransport> SharedTransport = new(() => new HttpClientTransport(new SocketsHttpHandler
    {
        // Uploads keep several Put Block calls in flight per request, for many requests at once.
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
    }));

    public static HttpPipeline Build(AzureStorageOptions options, HttpPipelinePolicy authPolicy)
    {
        var clientOptions = new StorageClientOptions
        {
            Transport = options.Transport ?? SharedTransport.Value,
        };
        clientOptions.Retry.MaxRetries = 3;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromMinutes(5);
        // Storage logs carry SAS and key material in URLs; keep Azure.Core's own logging quiet.
        clientOptions.Diagnostics.IsLoggingEnabled = false;
        clientOptions.Diagnostics.IsDistributedTracingEnabled = false;
        clientOptions.Diagnostics.IsTelemetryEnabled = false;

        HttpPipelinePolicy[] perCall = [new VersionPolicy(), .. options.AdditionalPolicies];
        HttpPipelinePolicy[] perRetry = [authPolicy];
        return HttpPipelineBuilder.Build(clientOptions, perCall, perRetry, new ResponseClassifier());
    }

    private sealed class StorageClientOptions : ClientOptions;

    private sealed class VersionPolicy : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            message.Request.Headers.SetValue("x-ms-version", ServiceVersion);
    }
}
