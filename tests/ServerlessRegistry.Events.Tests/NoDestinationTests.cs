using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Api;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>With no destination configured nothing is queued and nothing polls.</summary>
public sealed class NoDestinationTests
{
    [Fact]
    public async Task PushesCreateNoQueueAndTheLoopDoesNotRun()
    {
        await using var server = await RegistryServer.StartAsync();
        var events = server.Services.GetRequiredService<IRegistryEvents>();
        Assert.All(Enum.GetValues<ChangeAction>(), a => Assert.False(events.Wants(a)));

        await server.Client.PushImageAsync("team/quiet", "v1");
        await events.PublishAsync([new RegistryChange(ChangeAction.Push, "team/quiet", OciHttp.Sha256([1]), Tag: "v1")], ChangeOrigin.Registry("test"), default);

        Assert.False(server.Services.GetRequiredService<EventDeliveryLoop>().Running);
        var queues = new AzureStorage(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), TimeProvider.System).CreateAzureQueueStore();
        Assert.Empty(await queues.ListQueuesAsync(server.Prefix, default));
    }
}
