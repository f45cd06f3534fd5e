using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Mirror.Upstream;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// A second instance of this registry with auth on as the upstream (its token service is a real Docker token realm),
/// an access token allowed to pull private/*, and one image in private/app pushed with that token.
/// </summary>
public sealed class AuthUpstreamFixture : IAsyncLifetime
{
    public const string Repository = "private/app";
    private long _tokenRequests;

    public OidcIssuer Issuer { get; private set; } = null!;
    public AuthRegistryServer Registry { get; private set; } = null!;
    public string User { get; } = "mirror-" + Guid.NewGuid().ToString("N")[..8];
    public string Password { get; private set; } = "";
    public byte[] Manifest { get; private set; } = [];
    public string ManifestDigest { get; private set; } = "";

    /// <summary>Requests the upstream's token endpoint has answered.</summary>
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuer.StartAsync();
        Registry = await AuthRegistryServer.StartAsync(Issuer, services: s => s.AddSingleton<IStartupFilter>(new CountTokenRequests(this)));
        var store = Registry.Server.Services.GetRequiredService<AccessTokenStore>();
        (_, var secret) = await store.CreateAsync(User, ["private/*"], RegistryActions.Pull | RegistryActions.Push, DateTimeOffset.UtcNow.AddDays(1), default);
        Password = secret;

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"/oauth2/token?service=x&scope={Uri.EscapeDataString($"repository:{Repository}:pull,push")}");
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password)));
        using var tokenResponse = await Registry.Client.SendAsync(tokenRequest);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        using var pusher = new HttpClient { BaseAddress = Registry.Server.BaseAddress };
        pusher.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (Manifest, ManifestDigest) = await pusher.PushImageAsync(Repository, "v1");
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    private sealed class CountTokenRequests(AuthUpstreamFixture fixture) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Path.StartsWithSegments("/oauth2/token"))
                {
                    Interlocked.Increment(ref fixture._tokenRequests);
                }

                return following(context);
            });
            next(app);
        };
    }
}

public sealed class UpstreamAuthTests(AuthUpstreamFixture fixture) : IClassFixture<AuthUpstreamFixture>, IDisposable
{
    private readonly UpstreamClient _client = new(NullLogger<UpstreamClient>.Instance, TimeProvider.System);

    private UpstreamTarget Target(string? password = null, bool anonymous = false) => new(
        TestRules.Prefix(fixture.Registry.Server.BaseAddress, anonymous ? null : fixture.User, anonymous ? null : password ?? fixture.Password),
        AuthUpstreamFixture.Repository);

    [Fact]
    public async Task ManifestGetGoesThroughTheTokenRealmOnceAndReusesTheToken()
    {
        var target = Target();
        var (sent, tokens) = (_client.RequestsSent, fixture.TokenRequests);

        var first = await _client.GetManifestAsync(target, "v1", default);

        Assert.NotNull(first);
        Assert.Equal(fixture.Manifest, first.Bytes);
        Assert.Equal(fixture.ManifestDigest, first.Digest);
        // Anonymous attempt, token request, retry with the token.
        Assert.Equal(sent + 3, _client.RequestsSent);
        Assert.Equal(tokens + 1, fixture.TokenRequests);

        var byDigest = await _client.GetManifestAsync(target, fixture.ManifestDigest, default);
        var head = await _client.HeadManifestAsync(target, "v1", default);

        Assert.Equal(fixture.Manifest, byDigest!.Bytes);
        Assert.Equal(fixture.ManifestDigest, head!.Digest);
        Assert.Equal(sent + 5, _client.RequestsSent);
        Assert.Equal(tokens + 1, fixture.TokenRequests);
    }

    [Fact]
    public async Task ConcurrentFirstPullsShareOneTokenRequest()
    {
        using var fresh = new UpstreamClient(NullLogger<UpstreamClient>.Instance, TimeProvider.System);
        var target = Target();
        var tokens = fixture.TokenRequests;

        var manifests = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => fresh.GetManifestAsync(target, "v1", default)));

        Assert.All(manifests, m => Assert.Equal(fixture.Manifest, m!.Bytes));
        Assert.Equal(tokens + 1, fixture.TokenRequests);
    }

    [Fact]
    public async Task WrongPasswordIsUnauthorized()
    {
        var e = await Assert.ThrowsAsync<UpstreamException>(() => _client.GetManifestAsync(Target(password: "srt_not-the-password"), "v1", default));

        Assert.Equal(UpstreamFailure.Unauthorized, e.Failure);
        Assert.DoesNotContain("srt_not-the-password", e.ToString());
    }

    [Fact]
    public async Task AnonymousPullOfPrivateRepositoryIsUnauthorized()
    {
        var e = await Assert.ThrowsAsync<UpstreamException>(() => _client.HeadManifestAsync(Target(anonymous: true), "v1", default));

        Assert.Equal(UpstreamFailure.Unauthorized, e.Failure);
    }

    [Fact]
    public async Task CheckAcceptsTheCredentialsAndReportsRefusedOnes()
    {
        var good = await _client.CheckAsync(Target().Rule, default);
        var bad = await _client.CheckAsync(Target(password: "srt_wrong").Rule, default);
        var exact = await _client.CheckAsync(TestRules.Exact(fixture.Registry.Server.BaseAddress, AuthUpstreamFixture.Repository, fixture.User, fixture.Password), default);

        Assert.Equal(new UpstreamCheck(true, true, "reachable, credentials accepted (token auth)"), good);
        Assert.Equal(new UpstreamCheck(true, false, "credentials refused (401)"), bad);
        Assert.True(exact.Authenticated, exact.Detail);
    }

    [Fact]
    public async Task DistributionWithTokenAuthSendsTheRuleCredentialsToItsRealm()
    {
        await using var realm = await StubUpstream.TokenRealmAsync("silly-token");
        await using var distribution = await DistributionUpstream.StartAsync(
            $"  silly:\n    realm: {new Uri(realm.BaseAddress, "token")}\n    service: upstream-test");
        // Silly auth takes any Bearer token: enough to push.
        distribution.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "pusher");
        var (manifest, _) = await distribution.PushImageAsync("team/app", "v1");
        var target = new UpstreamTarget(TestRules.Prefix(distribution.BaseAddress, "mirror-user", "mirror-password"), "team/app");

        var first = await _client.GetManifestAsync(target, "v1", default);
        var second = await _client.HeadManifestAsync(target, "v1", default);

        Assert.Equal(manifest, first!.Bytes);
        Assert.NotNull(second);
        var asked = Assert.Single(realm.Received);
        Assert.Equal("/token?service=upstream-test&scope=" + Uri.EscapeDataString("repository:team/app:pull"), asked.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("mirror-user:mirror-password")), asked.Authorization);
    }

    [Fact]
    public async Task RulesCommandReportsRefusedCredentials()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ServerlessRegistry.Cli.RegistryCli.RunAsync(
            ["mirror", "rules", "--Mirror:Rules:0:Local=auth/*", $"--Mirror:Rules:0:Upstream={fixture.Registry.Server.BaseAddress}*",
                $"--Mirror:Rules:0:Username={fixture.User}", "--Mirror:Rules:0:Password=srt_wrong-secret",
                .. await CacheRuleAdminFixture.StorageArgumentsAsync(null)], output, error);

        Assert.Equal(1, code);
        Assert.Equal($"auth/* -> {fixture.Registry.Server.BaseAddress}* (with credentials): FAILED: credentials refused (401)", output.ToString().Trim());
        Assert.DoesNotContain("srt_wrong-secret", output.ToString() + error);
    }

    public void Dispose() => _client.Dispose();
}
