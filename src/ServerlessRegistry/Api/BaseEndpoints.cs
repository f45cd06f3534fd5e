namespace ServerlessRegistry.Api;

/// <summary>end-1: the API version check that every client sends first.</summary>
internal static class BaseEndpoints
{
    public static Task GetApiVersion(RegistryRequest request)
    {
        request.Response.ContentType = "application/json";
        request.Response.ContentLength = 2;
        return HttpMethods.IsHead(request.Request.Method) ? Task.CompletedTask : request.Response.WriteAsync("{}", request.Aborted);
    }
}
