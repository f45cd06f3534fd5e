using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Testing;

/// <summary>What an Entra-shaped access token should say. Defaults make a valid v2 token with one role.</summary>
public sealed record EntraTokenSpec(string Tenant, string Audience)
{
    public bool V2 { get; init; } = true;
    public IReadOnlyList<string> Roles { get; init; } = ["Registry.Push"];
    public string ObjectId { get; init; } = Guid.NewGuid().ToString();
    public TimeSpan ExpiresIn { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>Who signs in at the issuer's authorize endpoint next, and what their id token says.</summary>
public sealed record BrowserSignInSpec
{
    public IReadOnlyList<string> Roles { get; init; } = ["Registry.Pull"];
    public string Name { get; init; } = "Ada Lovelace";
    public string ObjectId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The token's tid and issuer; null: the tenant named in the authorize URL.</summary>
    public string? Tenant { get; init; }

    /// <summary>The token's nonce; null: the one the request sent (as Entra echoes it).</summary>
    public string? Nonce { get; init; }

    /// <summary>The token's audience; null: the request's client_id.</summary>
    public string? Audience { get; init; }
}

/// <summary>
/// A local stand-in for login.microsoftonline.com: real Kestrel on loopback, a real RSA key, per-tenant v1 and v2
/// discovery documents (issuers https://sts.windows.net/{tid}/ and {base}{tid}/v2.0, as Entra publishes them) and
/// JWKS. It serves any tenant; the registry's allow-list decides. Also mints forged and unsigned tokens.
/// </summary>
public sealed class OidcIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "fixture-key-1" };
    // Same kid, different key: what a forger who read the JWKS would sign with.
    private readonly RsaSecurityKey _forgedKey = new(RSA.Create(2048)) { KeyId = "fixture-key-1" };
    private readonly JsonWebTokenHandler _handler = new();

    private OidcIssuer(WebApplication app) => _app = app;

    /// <summary>The person the authorize endpoint signs in next (it signs in whoever this says, without asking).</summary>
    public BrowserSignInSpec NextSignIn { get; set; } = new();

    /// <summary>The query of the last authorize request, for assertions on what the registry asked for.</summary>
    public IReadOnlyDictionary<string, string> LastAuthorize { get; private set; } = new Dictionary<string, string>();

    /// <summary>The path and query of the last authorize request (which tenant segment it named).</summary>
    public string? LastAuthorizeUrl { get; private set; }

    /// <summary>The authority base to configure as Auth:Entra:Instance (known once started).</summary>
    public Uri Instance { get; private set; } = null!;

    public static async Task<OidcIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new OidcIssuer(app);
        app.Run(issuer.ServeAsync);
        await app.StartAsync();
        issuer.Instance = new Uri(RegistryApp.BoundAddress(app).ToString().TrimEnd('/') + "/");
        return issuer;
    }

    public string V1Issuer(string tenant) => $"https://sts.windows.net/{tenant}/";

    public string V2Issuer(string tenant) => $"{Instance}{tenant}/v2.0";

    public string Issue(EntraTokenSpec spec) => Sign(spec, _key);

    /// <summary>Signed with another key under the published kid: the signature cannot verify.</summary>
    public string IssueForged(EntraTokenSpec spec) => Sign(spec, _forgedKey);

    /// <summary>The same claims with <c>alg: none</c> and no signature.</summary>
    public string IssueUnsigned(EntraTokenSpec spec)
    {
        var payload = Issue(spec).Split('.')[1];
        return Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".";
    }

    private string Sign(EntraTokenSpec spec, RsaSecurityKey key)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["tid"] = spec.Tenant,
            ["oid"] = spec.ObjectId,
            ["sub"] = "pairwise-" + spec.ObjectId,
            ["ver"] = spec.V2 ? "2.0" : "1.0",
            [spec.V2 ? "azp" : "appid"] = "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        };
        if (spec.Roles.Count > 0)
        {
            claims["roles"] = spec.Roles.ToArray();
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = spec.V2 ? V2Issuer(spec.Tenant) : V1Issuer(spec.Tenant),
            Audience = spec.Audience,
            IssuedAt = now + spec.ExpiresIn - TimeSpan.FromHours(2),
            NotBefore = now + spec.ExpiresIn - TimeSpan.FromHours(2),
            Expires = now + spec.ExpiresIn,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private Task ServeAsync(HttpContext context)
    {
        var parts = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        if (parts is [var authorizeTenant, "oauth2", "v2.0", "authorize"])
        {
            return AuthorizeAsync(context, authorizeTenant);
        }

        var body = parts switch
        {
            [var tenant, ".well-known", "openid-configuration"] => Discovery(V1Issuer(tenant), $"{Instance}{tenant}/discovery/keys", $"{Instance}{tenant}/oauth2/authorize"),
            [var tenant, "v2.0", ".well-known", "openid-configuration"] => Discovery(V2Issuer(tenant), $"{Instance}{tenant}/discovery/v2.0/keys", $"{Instance}{tenant}/oauth2/v2.0/authorize"),
            [_, "discovery", "keys"] or [_, "discovery", "v2.0", "keys"] => Jwks(),
            _ => null,
        };
        if (body is null)
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    /// <summary>
    /// Entra's v2.0 authorize endpoint for an id_token with response_mode=form_post: signs in <see cref="NextSignIn"/>
    /// at once and answers the page Entra answers, a form that posts id_token and state to redirect_uri by itself
    /// (with a button for a browser without JavaScript).
    /// </summary>
    private Task AuthorizeAsync(HttpContext context, string tenant)
    {
        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        LastAuthorize = query;
        LastAuthorizeUrl = Instance + context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString;
        if (!query.TryGetValue("client_id", out var clientId) || !query.TryGetValue("redirect_uri", out var redirectUri) ||
            query.GetValueOrDefault("response_mode") != "form_post" || !query.TryGetValue("nonce", out var nonce))
        {
            context.Response.StatusCode = 400;
            return context.Response.WriteAsync("client_id, redirect_uri, nonce and response_mode=form_post are required");
        }

        var spec = NextSignIn;
        var tid = spec.Tenant ?? tenant;
        var now = DateTime.UtcNow;
        var idToken = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = V2Issuer(tid),
            Audience = spec.Audience ?? clientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object>
            {
                ["tid"] = tid,
                ["oid"] = spec.ObjectId,
                ["sub"] = "pairwise-" + spec.ObjectId,
                ["ver"] = "2.0",
                ["name"] = spec.Name,
                ["preferred_username"] = spec.Name.Replace(' ', '.').ToLowerInvariant() + "@example.org",
                ["nonce"] = spec.Nonce ?? nonce,
                ["roles"] = spec.Roles.ToArray(),
            },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
        Func<string?, string?> encode = System.Net.WebUtility.HtmlEncode;
        var html = $"""
            <!DOCTYPE html>
            <html lang="en"><head><title>Working...</title></head>
            <body onload="document.forms[0].submit()">
            <form method="POST" action="{encode(redirectUri)}">
            <input type="hidden" name="id_token" value="{encode(idToken)}">
            <input type="hidden" name="state" value="{encode(query.GetValueOrDefault("state") ?? "")}">
            <noscript><button type="submit">Continue</button></noscript>
            </form></body></html>
            """;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html);
    }

    private string Discovery(string issuer, string jwksUri, string authorizationEndpoint) => Json(w =>
    {
        w.WriteString("issuer", issuer);
        w.WriteString("jwks_uri", jwksUri);
        w.WriteString("authorization_endpoint", authorizationEndpoint);
        w.WriteString("token_endpoint", authorizationEndpoint.Replace("/authorize", "/token", StringComparison.Ordinal));
        w.WriteStartArray("response_modes_supported");
        w.WriteStringValue("query");
        w.WriteStringValue("fragment");
        w.WriteStringValue("form_post");
        w.WriteEndArray();
        w.WriteStartArray("id_token_signing_alg_values_supported");
        w.WriteStringValue("RS256");
        w.WriteEndArray();
    });

    private string Jwks()
    {
        var parameters = _key.Rsa.ExportParameters(false);
        return Json(w =>
        {
            w.WriteStartArray("keys");
            w.WriteStartObject();
            w.WriteString("kty", "RSA");
            w.WriteString("use", "sig");
            w.WriteString("kid", _key.KeyId);
            w.WriteString("n", Base64UrlEncoder.Encode(parameters.Modulus));
            w.WriteString("e", Base64UrlEncoder.Encode(parameters.Exponent));
            w.WriteEndObject();
            w.WriteEndArray();
        });
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Rsa.Dispose();
        _forgedKey.Rsa.Dispose();
    }
}
