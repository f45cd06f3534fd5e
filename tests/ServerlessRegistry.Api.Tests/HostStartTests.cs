using Microsoft.Extensions.Configuration;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>Settings are bound and checked when the host starts: a wrong one stops the start with one line naming the key.</summary>
public sealed class HostStartTests
{
    [Theory]
    [InlineData("Storage:AccountName", "", "Storage:AccountName is required")]
    [InlineData("Storage:Backend", "s3", "Storage:Backend 's3' is unknown")]
    [InlineData("Registry:BlockSize", "0", "Registry:BlockSize")]
    [InlineData("Registry:BlocksInFlight", "0", "Registry:BlocksInFlight")]
    [InlineData("Registry:MaxManifestBytes", "1000", "Registry:MaxManifestBytes")]
    [InlineData("Registry:MaxOpenUploadsPerCaller", "-1", "Registry:MaxOpenUploadsPerCaller")]
    [InlineData("Registry:RedirectLifetime", "00:00:00", "Registry:RedirectLifetime")]
    [InlineData("Registry:PublicUrl", "registry.example.com", "Registry:PublicUrl must be an absolute http(s) URL")]
    [InlineData("Registry:PublicUrl", "https://cr.example.org/registry", "Registry:PublicUrl must be an absolute http(s) URL")]
    [InlineData("Maintenance:Parallelism", "0", "Maintenance:Parallelism")]
    [InlineData("Auth:AccessTokenLifetime", "soon", "Auth:AccessTokenLifetime")]
    public async Task RefusesToStartWithOneLineNamingTheWrongSetting(string key, string value, string expected)
    {
        await using var app = RegistryApp.Build([], config => config
            .AddInMemoryCollection(Valid)
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task RefusesToStartWithoutAnyStorageSettings()
    {
        await using var app = RegistryApp.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:Port"] = "0",
            ["Logging:LogLevel:Default"] = "None",
        }));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.StartsWith("Storage:AccountName is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartsWithValidSettings()
    {
        await using var app = RegistryApp.Build([], config => config.AddInMemoryCollection(Valid));
        await app.StartAsync();
        await app.StopAsync();
    }

    private static Dictionary<string, string?> Valid => new()
    {
        ["Registry:Port"] = "0",
        ["Storage:AccountName"] = Azurite.AccountName,
        ["Logging:LogLevel:Default"] = "None",
    };
}
