using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Events;
using ServerlessRegistry.Events.Replication;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Events.Tests.Replication;

/// <summary>The destination client's reading of answers that no registry of the fixture gives.</summary>
public sealed class DestinationClientTests
{
    [Fact]
    public async Task BlobHeadRedirectMeansPresentAndIsNotFollowed()
    {
        var followed = 0;
        await using var host = await LoopbackHost.StartAsync(context =>
        {
            var path = context.Request.Path.Value ?? "";
            (context.Response.StatusCode, var location) = path switch
            {
                _ when path.EndsWith("/blobs/sha256:307", StringComparison.Ordinal) => (307, "/storage/one"),
                _ when path.EndsWith("/blobs/sha256:302", StringComparison.Ordinal) => (302, "/storage/two"),
                _ when path.StartsWith("/storage/", StringComparison.Ordinal) => (200, null),
                _ when path.EndsWith("/blobs/sha256:500", StringComparison.Ordinal) => (500, null),
                _ => (404, null),
            };
            followed += path.StartsWith("/storage/", StringComparison.Ordinal) ? 1 : 0;
            if (location is not null)
            {
                context.Response.Headers.Location = location;
            }

            return Task.CompletedTask;
        });
        var rule = new ReplicationRule(new ReplicationOptions { Name = "stub", Destination = host.BaseAddress, Repositories = ["*"] });
        using var client = new DestinationClient(TimeProvider.System, NullLogger<DestinationClient>.Instance);

        Assert.True(await client.HasBlobAsync(rule, "app", "sha256:307", CancellationToken.None));
        Assert.True(await client.HasBlobAsync(rule, "app", "sha256:302", CancellationToken.None));
        Assert.False(await client.HasBlobAsync(rule, "app", "sha256:404", CancellationToken.None));
        var e = await Assert.ThrowsAsync<DeliveryException>(() => client.HasBlobAsync(rule, "app", "sha256:500", CancellationToken.None));
        Assert.Contains("answered 500", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, followed);
    }
}
