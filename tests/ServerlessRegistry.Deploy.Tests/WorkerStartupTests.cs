using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Functions;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>The worker refuses to run open even off Azure: under <c>func start</c> the host listens on every interface.</summary>
public sealed class WorkerStartupTests
{
    [Fact]
    public async Task WorkerRefusesToStartWithAuthOffOutsideAzure()
    {
        var check = BuildCheck(new() { ["Registry:BindAddress"] = "127.0.0.1" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => check.StartAsync(CancellationToken.None));

        Assert.Contains("Functions worker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerStartsWithAuthOn()
    {
        var check = BuildCheck(new() { ["Auth:Enabled"] = "true", ["Auth:Entra:TenantIds:0"] = Guid.NewGuid().ToString() });

        await check.StartAsync(CancellationToken.None);
    }

    private static AuthStartupCheck BuildCheck(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:AccountName"] = Azurite.AccountName, ["Logging:LogLevel:Default"] = "None" })
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddRegistryWorker(configuration)
            .BuildServiceProvider();
        return ActivatorUtilities.CreateInstance<AuthStartupCheck>(services);
    }
}
