using Azure;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>Turns Blob service answers the store did not expect into <see cref="StorageException"/>.</summary>
internal static class BlobErrors
{
    /// <summary>The service's error code: the x-ms-error-code header, else the XML body's Code.</summary>
    public static string? Code(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : BlobXml.TryReadErrorCode(response.ContentStream);

    public static bool IsContainerNotFound(Response response) =>
        response.Status == 404 && Code(response) == "ContainerNotFound";

    public static StorageException Failure(string operation, Response response)
    {
        var code = Code(response);
        return new StorageException($"Blob storage {operation} failed: {response.Status} {code ?? response.ReasonPhrase}.", response.Status, code);
    }
}
