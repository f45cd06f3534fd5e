using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>Each request logs exactly one Information line: method, path, status, duration and caller.</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task OneRequestLogsOneInformationLine()
    {
        var captured = new CapturingLoggerProvider();
        var server = await RegistryServer.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" },
            services => services.AddSingleton<ILoggerProvider>(captured));
        try
        {
            captured.Lines.Clear();
            using var response = await server.Client.GetAsync("/v2/team/app/tags/list?n=5&last=secret");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            // Stopping waits for the request to finish, so every line it logs has been written.
            await server.DisposeAsync();
        }

        var line = Assert.Single(captured.Lines, l => l.Level == LogLevel.Information && l.Category != "Microsoft.Hosting.Lifetime");
        Assert.Equal(RegistryLog.RequestCategory, line.Category);
        Assert.Matches(@"^GET /v2/team/app/tags/list 404 \d+(\.\d)? ms anonymous$", line.Message);
    }
}
