using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Garbage collection deleting untagged manifests keeps those a lock protects, as retention does.</summary>
public sealed class GcLockTests(GuardFixture fixture) : IClassFixture<GuardFixture>
{
    [Fact]
    public async Task UntaggedManifestsThatALockProtectsSurviveACollectionThatDeletesUntagged()
    {
        var locked = GuardFixture.NewName("gclock/manifest");
        var lockedRepository = GuardFixture.NewName("gclock/repo");
        var free = GuardFixture.NewName("gclock/free");
        var (_, manifest) = await fixture.Client.PushImageAsync(locked, "v1");
        var (_, inLockedRepository) = await fixture.Client.PushImageAsync(lockedRepository, "v1");
        var (_, unlocked) = await fixture.Client.PushImageAsync(free, "v1");
        foreach (var repository in new[] { locked, lockedRepository, free })
        {
            (await fixture.Client.DeleteAsync($"/v2/{repository}/manifests/v1")).EnsureSuccessStatusCode();
        }

        await fixture.LockAsync($"{locked}@{manifest}", noWrite: false, noDelete: true);
        await fixture.LockAsync(lockedRepository, noWrite: false, noDelete: true);
        var services = fixture.Server.Services;
        var settings = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value
            .With(deleteUntagged: true, gracePeriod: TimeSpan.Zero, allowShortGracePeriod: true).Validate();
        await services.GetRequiredService<GarbageCollector>().RunAsync(settings, null, CancellationToken.None);

        Assert.True((await fixture.Client.GetAsync($"/v2/{locked}/manifests/{manifest}")).IsSuccessStatusCode);
        Assert.True((await fixture.Client.GetAsync($"/v2/{lockedRepository}/manifests/{inLockedRepository}")).IsSuccessStatusCode);
        Assert.False((await fixture.Client.GetAsync($"/v2/{free}/manifests/{unlocked}")).IsSuccessStatusCode);
    }
}
