using Microsoft.Extensions.Configuration;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>Auth off is allowed only on loopback; the signing key is created once, even by racing instances.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("Registry:BindAddress", "0.0.0.0")]
    [InlineData("WEBSITE_SITE_NAME", "func-registry")]
    public async Task RefusesToStartOpenWhenReachableBeyondLoopback(string key, string value)
    {
        await using var app = RegistryApp.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:Port"] = "0",
            ["Storage:AccountName"] = Azurite.AccountName,
            ["Logging:LogLevel:Default"] = "None",
            [key] = value,
        }));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("Refusing to start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesToStartOpenWhenAKestrelEndpointListensBeyondLoopback()
    {
        await using var app = Build(new() { ["Kestrel:Endpoints:extra:Url"] = "http://0.0.0.0:0" });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains("Refusing to start", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartsOpenWhenEveryKestrelEndpointIsLoopback()
    {
        await using var app = Build(new() { ["Kestrel:Endpoints:extra:Url"] = "http://[::1]:0" });
        await app.StartAsync();
        await app.StopAsync();
    }

    [Fact]
    public async Task RefusesToStartInAzureWithoutAPublicUrl()
    {
        await using var app = Build(new() { ["Auth:Enabled"] = "true", ["WEBSITE_SITE_NAME"] = "reg" });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains("Registry:PublicUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InAzureTheRealmIsTheSiteHostNameWhateverTheRequestSays()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:Enabled"] = "true",
            ["WEBSITE_SITE_NAME"] = "reg",
            ["WEBSITE_HOSTNAME"] = "reg.azurewebsites.net",
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-Host", "attacker.example");
        request.Headers.Host = "attacker.example";
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"https://reg.azurewebsites.net/oauth2/token\",service=\"reg.azurewebsites.net\"", response.Headers.WwwAuthenticate.ToString());
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(Dictionary<string, string?> settings) =>
        RegistryApp.Build([], config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:Port"] = "0",
            ["Storage:AccountName"] = Azurite.AccountName,
            ["Logging:LogLevel:Default"] = "None",
        }).AddInMemoryCollection(settings));

    [Fact]
    public void LoopbackWithoutAuthIsAllowed() =>
        Assert.Null(AuthStartupCheck.ExposedReason(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:BindAddress"] = "::1" }).Build()));

    [Fact]
    public async Task ConcurrentFirstUseConvergesOnOneSigningKey()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Auth:Enabled"] = "true" });
        try
        {
            var storage = (RegistryStorage)server.Services.GetService(typeof(RegistryStorage))!;
            var instances = Enumerable.Range(0, 4).Select(_ => new SigningKeys(storage, TimeProvider.System)).ToList();
            var sets = await Task.WhenAll(instances.Select(k => k.GetAsync(CancellationToken.None)));
            Assert.Single(sets.Select(s => s.Active.KeyId).Distinct());
            Assert.Equal(sets[0].Active.KeyId, (await instances[0].GetAsync(CancellationToken.None)).Active.KeyId);
        }
        finally
        {
            var tables = new Azure.AzureMetadataStore(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), TimeProvider.System);
            await tables.DeleteTableAsync(new Core.Storage.StorageLayout(server.Prefix).AuthTable, CancellationToken.None);
        }
    }
}
