using System.Collections.Frozen;
using ServerlessRegistry.Web.Pages;

namespace ServerlessRegistry.Web;

/// <summary>Answers one page request.</summary>
internal delegate Task WebHandler(WebRequest request);

/// <summary>
/// Every page and action of the web interface. GET pages also answer HEAD (the body is left off); POST actions
/// change state and check the anti-forgery token first. Adding a page is one line here and one file in Pages/.
/// </summary>
internal static class WebRoutes
{
    public static readonly FrozenDictionary<(WebResource Resource, string Method), WebHandler> Routes =
        new Dictionary<(WebResource, string), WebHandler>
        {
            [(WebResource.Repositories, "GET")] = RepositoriesPage.GetAsync,       // /
            [(WebResource.Repository, "GET")] = RepositoryPage.GetAsync,           // /r/{name}?page=N
            [(WebResource.Manifest, "GET")] = ManifestPage.GetAsync,               // /r/{name}/-/manifest/{digest}
            [(WebResource.Delete, "GET")] = DeletePage.GetAsync,                   // /r/{name}/-/delete?tag=…|digest=…
            [(WebResource.Delete, "POST")] = DeletePage.PostAsync,                 // /r/{name}/-/delete
            [(WebResource.SignIn, "GET")] = SignInPage.GetAsync,                   // /signin?returnUrl=…
            [(WebResource.SignIn, "POST")] = SignInPage.PostAsync,                 // /signin
            [(WebResource.SignInEntra, "GET")] = SignInPage.EntraAsync,            // /signin/entra?returnUrl=…
            [(WebResource.SignOut, "POST")] = SignInPage.SignOutAsync,             // /signout
            [(WebResource.Tokens, "GET")] = TokensPage.GetAsync,                   // /tokens (admins)
            [(WebResource.Tokens, "POST")] = TokensPage.CreateAsync,               // /tokens (admins)
            [(WebResource.TokenRevoke, "POST")] = TokensPage.RevokeAsync,          // /tokens/revoke (admins)
            [(WebResource.Usage, "GET")] = UsagePage.GetAsync,                     // /usage (admins)
        }.ToFrozenDictionary();

    /// <summary>The handler for a resource and method; HEAD uses GET's. Null when the resource has none for the method.</summary>
    public static WebHandler? Find(WebResource resource, string method) =>
        Routes.GetValueOrDefault((resource, HttpMethods.IsHead(method) ? "GET" : method));
}
