using System.Net;
using System.Security.Cryptography;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>Token lifetimes, the validation cache, revocation checks and key reloads, on a clock the tests move.</summary>
public sealed class TokenClockTests
{
    private const string Repository = "clock/app";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReloadThrottle = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task BearerTokenIsAcceptedUntilItsLifetimeAndSkewRunOutThenRefused()
    {
        await using var registry = await ClockedRegistry.StartAsync();
        var first = await registry.BearerTokenAsync();
        var second = await registry.BearerTokenAsync();

        registry.Clock.Advance(Lifetime + Skew - Second);
        Assert.Equal(HttpStatusCode.NotFound, await registry.ListTagsAsync(first));

        registry.Clock.Advance(2 * Second);
        Assert.Equal(HttpStatusCode.Unauthorized, await registry.ListTagsAsync(second));
    }

    [Fact]
    public async Task CachedBearerTokenIsRefusedOnceTheClockPassesItsExpiry()
    {
        await using var registry = await ClockedRegistry.StartAsync();
        var token = await registry.BearerTokenAsync();
        Assert.Equal(HttpStatusCode.NotFound, await registry.ListTagsAsync(token));

        registry.Clock.Advance(Lifetime - Second);
        Assert.Equal(HttpStatusCode.NotFound, await registry.ListTagsAsync(token));

        registry.Clock.Advance(Skew + 2 * Second);
        Assert.Equal(HttpStatusCode.Unauthorized, await registry.ListTagsAsync(token));
    }

    [Fact]
    public async Task AccessTokenRevokedElsewhereIsRefusedOnceTheCheckIntervalHasPassed()
    {
        await using var registry = await ClockedRegistry.StartAsync();
        var token = await registry.BearerTokenAsync();
        Assert.Equal(HttpStatusCode.NotFound, await registry.ListTagsAsync(token));

        // Another instance (or the command line) revokes it: this instance's trust lasts one check interval.
        var elsewhere = new AccessTokenStore(registry.Storage, registry.Options, registry.Clock);
        Assert.True(await elsewhere.RevokeAsync(ClockedRegistry.TokenName, CancellationToken.None));
        registry.Clock.Advance(CheckInterval - Second);
        Assert.Equal(HttpStatusCode.NotFound, await registry.ListTagsAsync(token));

        registry.Clock.Advance(Second);
        Assert.Equal(HttpStatusCode.Unauthorized, await registry.ListTagsAsync(token));
    }

    [Fact]
    public async Task TokenSignedWithARotatedKeyIsAcceptedOnceTheReloadThrottleAllows()
    {
        await using var registry = await ClockedRegistry.StartAsync();
        await registry.BearerTokenAsync();

        // Rotation on another instance: the active key row goes, and the next use there creates a new one.
        await registry.Storage.Metadata.ExecuteAsync(registry.Storage.Layout.AuthTable, RowOperation.Delete(SigningKeys.Partition, SigningKeys.ActiveRow), CancellationToken.None);
        var elsewhere = new RegistryTokens(new SigningKeys(registry.Storage, registry.Clock), registry.Clock);
        var token = await elsewhere.IssueAsync(
            TokenEndpoints.Service(registry.Options), RegistryTokens.AccessUse, "rotation", registry.Clock.GetUtcNow() + Lifetime,
            new Dictionary<string, object>(StringComparer.Ordinal) { ["access"] = new[] { $"repository:{Repository}:pull" } }, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, await registry.ListTagsAsync(token));
        registry.Clock.Advance(ReloadThrottle - Second);
        Assert.Equal(HttpStatusCode.Unauthorized, await registry.ListTagsAsync(token));

        registry.Clock.Advance(Second);
        Assert.Equal(HttpStatusCode.NotFound, await registry.ListTagsAsync(token));
    }

    [Fact]
    public async Task UnknownKeyIdsReloadTheKeysAtMostOncePerMinute()
    {
        await using var registry = await ClockedRegistry.StartAsync();
        await registry.BearerTokenAsync();
        var forged = registry.Forge();

        registry.Counter.Reset();
        await registry.RefuseAllAsync(forged, 5);
        Assert.Equal(0, registry.Counter.Count);

        registry.Clock.Advance(ReloadThrottle);
        await registry.RefuseAllAsync(forged, 5);
        Assert.Equal(1, registry.Counter.Count);

        registry.Clock.Advance(ReloadThrottle - Second);
        await registry.RefuseAllAsync(forged, 5);
        Assert.Equal(1, registry.Counter.Count);

        registry.Clock.Advance(Second);
        await registry.RefuseAllAsync(forged, 5);
        Assert.Equal(2, registry.Counter.Count);
    }

    /// <summary>A registry with auth on, a fake clock, a storage call counter, and one access token for <see cref="Repository"/>.</summary>
    private sealed class ClockedRegistry : IAsyncDisposable
    {
        public const string TokenName = "clock-reader";

        private readonly OidcIssuer _issuer;
        private readonly AuthRegistryServer _server;
        private string _secret = "";

        private ClockedRegistry(OidcIssuer issuer, AuthRegistryServer server, FakeTimeProvider clock, StoragePipelineCounter counter)
        {
            _issuer = issuer;
            _server = server;
            Clock = clock;
            Counter = counter;
        }

        public FakeTimeProvider Clock { get; }
        public StoragePipelineCounter Counter { get; }
        public RegistryStorage Storage => _server.Server.Services.GetRequiredService<RegistryStorage>();
        public AuthOptions Options => _server.Server.Services.GetRequiredService<AuthOptions>();

        public static async Task<ClockedRegistry> StartAsync()
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var counter = new StoragePipelineCounter();
            var issuer = await OidcIssuer.StartAsync();
            var server = await AuthRegistryServer.StartAsync(
                issuer,
                new Dictionary<string, string?> { ["Auth:RevocationCheckInterval"] = CheckInterval.ToString() },
                s => s.AddSingleton<TimeProvider>(clock).AddSingleton<HttpPipelinePolicy>(counter));
            var registry = new ClockedRegistry(issuer, server, clock, counter);
            var store = server.Server.Services.GetRequiredService<AccessTokenStore>();
            (_, registry._secret) = await store.CreateAsync(TokenName, [Repository], RegistryActions.Pull, clock.GetUtcNow() + TimeSpan.FromDays(30), CancellationToken.None);
            return registry;
        }

        /// <summary>A bearer token for pulling <see cref="Repository"/>, signed in with the access token.</summary>
        public async Task<string> BearerTokenAsync()
        {
            var body = await TokenHttp.GetTokenAsync(_server.Client, (TokenName, _secret), $"repository:{Repository}:pull");
            Assert.Equal((long)Lifetime.TotalSeconds, body.GetProperty("expires_in").GetInt64());
            return body.GetProperty("token").GetString()!;
        }

        /// <summary>The status of a tag list: 404 NAME_UNKNOWN once the token is accepted (nothing was pushed), 401 when refused.</summary>
        public async Task<HttpStatusCode> ListTagsAsync(string token)
        {
            using var response = await TokenHttp.SendAsync(_server.Client, HttpMethod.Get, $"/v2/{Repository}/tags/list", token);
            return response.StatusCode;
        }

        /// <summary>A well-formed token for this registry, signed by a key it has never seen.</summary>
        public string Forge()
        {
            using var rsa = RSA.Create(2048);
            var now = Clock.GetUtcNow().UtcDateTime;
            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = RegistryTokens.Issuer,
                Audience = TokenEndpoints.Service(Options),
                IssuedAt = now,
                NotBefore = now,
                Expires = now + Lifetime,
                Claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["use"] = RegistryTokens.AccessUse, ["sub"] = "forger", ["access"] = new[] { $"repository:{Repository}:pull" } },
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = "forged" }, SecurityAlgorithms.RsaSha256),
            });
        }

        public async Task RefuseAllAsync(string token, int times)
        {
            for (var i = 0; i < times; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await ListTagsAsync(token));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            await _issuer.DisposeAsync();
        }
    }
}
