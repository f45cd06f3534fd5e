using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>
/// A <see cref="RegistryServer"/> with auth on, trusting <see cref="OidcIssuer"/> for tenant <see cref="Tenant"/>
/// (audiences <see cref="AppIdUri"/> and <see cref="ClientId"/>), anonymous pull for "public/", and revocation checked
/// on every request.
/// </summary>
public sealed class AuthRegistryServer : IAsyncDisposable
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string OtherTenant = "99999999-8888-7777-6666-555555555555";
    public const string ClientId = "6a7b8c9d-0000-4000-8000-00000000c0de";
    public const string AppIdUri = "api://serverless-registry-test";
    public const string EntraUser = "00000000-0000-0000-0000-000000000000";

    private AuthRegistryServer(RegistryServer server) => Server = server;

    public RegistryServer Server { get; }
    public HttpClient Client => Server.Client;
    public string HostPort => Server.HostPort;

    public static async Task<AuthRegistryServer> StartAsync(OidcIssuer issuer, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Enabled"] = "true",
            ["Auth:Entra:Instance"] = issuer.Instance.ToString(),
            ["Auth:Entra:TenantIds:0"] = Tenant,
            ["Auth:Entra:Audiences:0"] = AppIdUri,
            ["Auth:Entra:Audiences:1"] = ClientId,
            ["Auth:AnonymousPullPrefixes:0"] = "public/",
            ["Auth:RevocationCheckInterval"] = "00:00:00",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new AuthRegistryServer(await RegistryServer.StartAsync(settings, services));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
