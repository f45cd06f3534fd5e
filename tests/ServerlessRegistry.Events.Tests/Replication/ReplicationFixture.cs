using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Events;
using ServerlessRegistry.Events.Replication;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Events.Tests.Replication;

/// <summary>
/// A source registry with one replication rule per scenario, and the registries they copy to: a plain one, a fresh one
/// for the full sync, one with token auth, CNCF distribution, and a port where nothing listens.
/// </summary>
public sealed class ReplicationFixture : IAsyncLifetime
{
    public const string Pusher = "replicator";

    public RegistryServer Source { get; private set; } = null!;
    public RegistryServer Destination { get; private set; } = null!;
    public RegistryServer SyncDestination { get; private set; } = null!;
    public AuthRegistryServer AuthDestination { get; private set; } = null!;
    public DistributionUpstream Distribution { get; private set; } = null!;

    /// <summary>Claims to store every manifest PUT to it under another digest.</summary>
    public LoopbackHost Corrupting { get; private set; } = null!;
    public string PusherSecret { get; private set; } = "";
    public ContainersSandbox Sandbox { get; } = new();
    private OidcIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        var starting = (RegistryServer.StartAsync(), RegistryServer.StartAsync(), OidcIssuer.StartAsync(), DistributionUpstream.StartAsync());
        (Destination, SyncDestination, _issuer, Distribution) = (await starting.Item1, await starting.Item2, await starting.Item3, await starting.Item4);
        AuthDestination = await AuthRegistryServer.StartAsync(_issuer);
        Corrupting = await LoopbackHost.StartAsync(context =>
        {
            var path = context.Request.Path.Value ?? "";
            context.Response.StatusCode = (context.Request.Method, path.Contains("/blobs/", StringComparison.Ordinal)) switch
            {
                ("HEAD", true) => 200,
                ("PUT", false) => 201,
                _ => 404,
            };
            if (context.Response.StatusCode == 201)
            {
                context.Response.Headers["Docker-Content-Digest"] = "sha256:" + new string('0', 64);
            }

            return Task.CompletedTask;
        });
        PusherSecret = (await AuthDestination.Server.Services.GetRequiredService<AccessTokenStore>()
            .CreateAsync(Pusher, ["*"], RegistryActions.Pull | RegistryActions.Push, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None)).Secret;

        var settings = new Dictionary<string, string?>();
        void Rule(int i, string name, string destination, string repositories, string? tags = null, string? ns = null, bool credentials = false)
        {
            settings[$"Events:Replication:{i}:Name"] = name;
            settings[$"Events:Replication:{i}:Destination"] = destination;
            settings[$"Events:Replication:{i}:Repositories:0"] = repositories;
            // Only keys with a value: a key bound to null still adds an (empty) list entry.
            if (tags is not null)
            {
                settings[$"Events:Replication:{i}:Tags:0"] = tags;
            }

            if (ns is not null)
            {
                settings[$"Events:Replication:{i}:Namespace"] = ns;
            }

            if (credentials)
            {
                settings[$"Events:Replication:{i}:Username"] = Pusher;
                settings[$"Events:Replication:{i}:Password"] = PusherSecret;
            }
        }

        Rule(0, "plain", Url(Destination.HostPort), "apps/**");
        Rule(1, "backup", Url(Destination.HostPort), "team/**", tags: "v*", ns: "backup");
        Rule(2, "token", Url(AuthDestination.HostPort), "secure/*", credentials: true);
        Rule(3, "anonymous", Url(AuthDestination.HostPort), "secure/*");
        Rule(4, "down", $"http://127.0.0.1:{Azurite.FreePort()}", "down/*");
        Rule(5, "sync", Url(SyncDestination.HostPort), "sync/**");
        Rule(6, "distribution", Url(Distribution.HostPort), "dist/*");
        Rule(7, "corrupting", Url(Corrupting.BaseAddress.Authority), "bad/*");
        Source = await RegistryServer.StartAsync(settings);
    }

    public static string Url(string hostPort) => "http://" + hostPort;

    /// <summary>The source's destination for a rule, as the delivery pipeline gets it.</summary>
    internal IEventDestination Rule(string name) =>
        Source.Services.GetServices<IEventDestinationSource>().SelectMany(s => s.Create()).Single(d => d.Name == "replication:" + name);

    internal static RegistryEvent Push(string repository, string tag, string digest) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Timestamp = DateTimeOffset.UtcNow,
        Action = "push",
        Target = new EventTarget { Repository = repository, Tag = tag, Digest = digest, MediaType = OciHttp.OciIndex },
    };

    /// <summary>The event of a push by digest alone (no tag), as a referrer's push makes it.</summary>
    internal static RegistryEvent PushByDigest(string repository, string digest) => Push(repository, "", digest) with
    {
        Target = new EventTarget { Repository = repository, Digest = digest, MediaType = OciHttp.OciManifest },
    };

    /// <summary>The digests the referrers API of <paramref name="client"/>'s registry lists for <paramref name="subject"/>.</summary>
    public static async Task<IReadOnlyList<string?>> ReferrersAsync(HttpClient client, string repository, string subject)
    {
        using var referrers = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/v2/{repository}/referrers/{subject}"));
        return [.. referrers.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString())];
    }

    /// <summary>The digest <paramref name="client"/>'s registry answers for a manifest HEAD, or null on 404.</summary>
    public static async Task<string?> HeadAsync(HttpClient client, string repository, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{reference}");
        request.Headers.TryAddWithoutValidation("Accept", DestinationClient.ManifestAccept);
        using var response = await client.SendAsync(request);
        return response.StatusCode == HttpStatusCode.NotFound ? null
            : response.IsSuccessStatusCode ? response.Headers.GetValues("Docker-Content-Digest").Single()
            : throw new InvalidOperationException($"HEAD {repository}:{reference} answered {(int)response.StatusCode}");
    }

    public async Task DisposeAsync()
    {
        // Null when the start failed part way: what started is still stopped and cleaned.
        IAsyncDisposable?[] started = [Source, Destination, SyncDestination, AuthDestination, Distribution, Corrupting, _issuer];
        foreach (var server in started)
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        Sandbox.Dispose();
    }
}

/// <summary>One source and its destinations for every replication test class; the classes run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicationCollection : ICollectionFixture<ReplicationFixture>
{
    public const string Name = "replication";
}
