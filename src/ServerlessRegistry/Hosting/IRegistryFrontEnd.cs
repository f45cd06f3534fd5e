namespace ServerlessRegistry.Hosting;

/// <summary>
/// The seam through which a feature answers requests outside /v2 and /oauth2 (the web interface does; the pipeline
/// imports no feature). Front ends are registered as singletons of this type and asked in registration order.
/// </summary>
/// <remarks>Implementations are thread-safe. They run inside <see cref="RegistryPipeline"/>, after the public address
/// is applied and inside the error handling, under both hosts.</remarks>
internal interface IRegistryFrontEnd
{
    /// <summary>Answers the request and returns true, or returns false without touching the response.</summary>
    Task<bool> TryHandleAsync(HttpContext context);
}
