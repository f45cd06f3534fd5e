using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Functions;

/// <summary>
/// Every public request: one anonymous function with a catch-all route runs the registry's own pipeline on the
/// worker's <see cref="HttpContext"/>, which the ASP.NET Core integration streams from the host (no body copy).
/// </summary>
/// <remarks>
/// Every method is listed, HEAD and OPTIONS included: a GET-only trigger answers HEAD with 404. The pipeline writes
/// the response itself, so the function returns an empty result that leaves it untouched.
/// </remarks>
internal sealed class RegistryFunction(RegistryPipeline pipeline)
{
    public const string Name = "Registry";

    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", "post", "put", "patch", "delete", "options", Route = "{*path}")] HttpRequest request)
    {
        await pipeline.InvokeAsync(request.HttpContext);
        return new EmptyResult();
    }
}
