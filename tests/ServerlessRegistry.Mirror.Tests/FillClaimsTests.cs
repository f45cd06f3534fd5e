using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>The cross-instance fill claim on Azurite's table service: two processes are two <see cref="FillClaims"/>.</summary>
public sealed class FillClaimsTests : IAsyncLifetime
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Azurite _azurite = null!;
    private RegistryStorage _storage = null!;

    public async Task InitializeAsync()
    {
        (_azurite, _storage) = await AzuriteStorage.CreateAsync();
    }

    public Task DisposeAsync() => StorageCleanup.DeletePrefixAsync(_azurite, _storage.Layout.Prefix);

    private FillClaims Instance() => new(_storage, _time, NullLogger<FillClaims>.Instance);

    [Fact]
    public async Task OfEightConcurrentClaimantsOnTwoInstancesExactlyOneWins()
    {
        var (a, b) = (Instance(), Instance());

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).TryClaimAsync(Digest, default)));

        Assert.Single(claims, c => c is not null);
    }

    [Fact]
    public async Task AReleasedClaimCanBeTakenAgain()
    {
        var (a, b) = (Instance(), Instance());
        var first = await a.TryClaimAsync(Digest, default);
        Assert.NotNull(first);
        Assert.Null(await b.TryClaimAsync(Digest, default));

        await a.ReleaseAsync(Digest, first);

        Assert.NotNull(await b.TryClaimAsync(Digest, default));
    }

    [Fact]
    public async Task AnExpiredClaimIsTakenOverAndItsOwnerCanNoLongerReleaseIt()
    {
        var (dead, live) = (Instance(), Instance());
        var stale = await dead.TryClaimAsync(Digest, default);
        Assert.NotNull(stale);

        _time.Advance(FillJobs.FillTimeout + TimeSpan.FromSeconds(1));
        var taken = await live.TryClaimAsync(Digest, default);
        Assert.NotNull(taken);
        await dead.ReleaseAsync(Digest, stale);

        Assert.Null(await Instance().TryClaimAsync(Digest, default));
        Assert.NotNull(await _storage.Metadata.GetAsync(Mirror.MirrorLayout.Table(_storage.Layout), Mirror.MirrorLayout.FillPartition, Digest, default));
    }
}
