using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>
/// How a failure the registry cannot handle is answered: an outage asks the client to retry (503), while a request
/// storage refuses, refused credentials and a defect answer 500, which clients do not retry, always in the envelope.
/// </summary>
public sealed class FailureAnswerTests
{
    [Fact]
    public async Task StorageOutageAnswers503WithRetryAfter()
    {
        await using var server = await StartFailingAsync(() => new StorageException("down", failure: StorageFailure.Unavailable));

        using var response = await server.Client.GetAsync("/v2/fail/app/tags/list");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("UNAVAILABLE", await CodeAsync(response));
    }

    [Theory]
    [InlineData(StorageFailure.Rejected)]
    [InlineData(StorageFailure.AccessDenied)]
    public async Task StorageRefusalAnswers500WithoutRetryAfter(StorageFailure failure)
    {
        await using var server = await StartFailingAsync(() => new StorageException("refused", 403, failure: failure));

        using var response = await server.Client.GetAsync("/v2/fail/app/tags/list");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        Assert.Equal("UNKNOWN", await CodeAsync(response));
    }

    [Fact]
    public async Task UnexpectedFailureAnswers500InTheEnvelope()
    {
        await using var server = await StartFailingAsync(() => new InvalidOperationException("a defect"));

        using var response = await server.Client.GetAsync("/v2/fail/app/tags/list");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("UNKNOWN", await CodeAsync(response));
    }

    private static Task<RegistryServer> StartFailingAsync(Func<Exception> failure) =>
        RegistryServer.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "None" }, services =>
            services.AddSingleton(sp => new RegistryStorage(new StorageLayout(Azurite.NewPrefix()), new InMemoryBlobStore("fail", TimeProvider.System), new FailingMetadataStore(failure))));

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
    }

    private sealed class FailingMetadataStore(Func<Exception> failure) : IMetadataStore
    {
        public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) => throw failure();

        public Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken) => throw failure();

        public Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken) => throw failure();

        public Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken) => throw failure();
    }
}
