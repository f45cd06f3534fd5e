namespace ServerlessRegistry.Api;

/// <summary>end-1: the API version check that every client sends first.</summary>
internal static class BaseEndpoints
{
    private static readonly Task<IResult> Version = Task.FromResult<IResult>(new JsonListResult("application/json", json =>
    {
        json.WriteStartObject();
        json.WriteEndObject();
    }));

    public static Task<IResult> GetApiVersion(RegistryRequest request) => Version;
}
