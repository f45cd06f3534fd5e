using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Web;

/// <summary>The web interface's seam into the pipeline: every request outside /v2 and /oauth2.</summary>
internal sealed class WebFrontEnd : IRegistryFrontEnd
{
    public Task<bool> TryHandleAsync(HttpContext context) => throw new NotImplementedException();
}
