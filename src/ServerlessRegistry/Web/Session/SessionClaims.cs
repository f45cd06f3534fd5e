using System.Security.Claims;
using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Web.Session;

/// <summary>What a session cookie holds, decided once at sign-in.</summary>
/// <param name="Subject">"entra:{tid}/{oid}" or "token:{name}".</param>
/// <param name="Policy">The viewer's own grants (anonymous pull is added when read, so a changed prefix list applies at once).</param>
/// <param name="AccessToken">"name/id" of the access token behind a token session, re-checked on every request.</param>
internal sealed record SessionClaims(string Subject, string DisplayName, IReadOnlyList<Grant> Policy, bool IsAdmin, string? AccessToken)
{
    // Short names: the cookie carries them on every request.
    private const string SubjectType = "sub";
    private const string NameType = "name";
    private const string PolicyType = "pol";
    private const string AdminType = "adm";
    private const string TokenType = "tkn";

    /// <summary>The claims the cookie handler encrypts into the cookie; nothing else from the sign-in is kept.</summary>
    public ClaimsPrincipal ToPrincipal()
    {
        var identity = new ClaimsIdentity(WebSessionOptions.CookieScheme, NameType, null);
        identity.AddClaim(new Claim(SubjectType, Subject));
        identity.AddClaim(new Claim(NameType, DisplayName));
        foreach (var grant in Policy)
        {
            identity.AddClaim(new Claim(PolicyType, grant.ToString()));
        }

        if (IsAdmin)
        {
            identity.AddClaim(new Claim(AdminType, "true"));
        }

        if (AccessToken is not null)
        {
            identity.AddClaim(new Claim(TokenType, AccessToken));
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The session a validated cookie describes, or null for a cookie this code did not write.</summary>
    public static SessionClaims? From(ClaimsPrincipal? principal)
    {
        if (principal?.FindFirst(SubjectType)?.Value is not { Length: > 0 } subject)
        {
            return null;
        }

        var policy = principal.FindAll(PolicyType).Select(c => Grant.TryParse(c.Value, out var g) ? g : default).Where(g => g.Pattern is not null).ToArray();
        return new SessionClaims(subject, principal.FindFirst(NameType)?.Value ?? subject, policy,
            principal.HasClaim(AdminType, "true"), principal.FindFirst(TokenType)?.Value);
    }

    public static SessionClaims ForAccessToken(AccessTokenInfo token) =>
        new("token:" + token.Name, token.Name, token.Policy, AdminGrant.Holds(token.Policy), token.Name + "/" + token.Id);
}
