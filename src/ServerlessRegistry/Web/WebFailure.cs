namespace ServerlessRegistry.Web;

/// <summary>A page-level refusal: the front end renders it as an HTML error page with <see cref="Status"/>.</summary>
internal sealed class WebFailure(int status, string title, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Title { get; } = title;

    /// <summary>Missing and not visible to this viewer read the same, so a page never tells whether a private repository exists.</summary>
    public static WebFailure NotFound() => new(StatusCodes.Status404NotFound, "Not found", "There is nothing here, or you may not see it.");

    public static WebFailure Forbidden() => new(StatusCodes.Status403Forbidden, "Forbidden", "You may not do this.");

    public static WebFailure BadForm() => new(StatusCodes.Status400BadRequest, "Form expired",
        "The form was not sent from this site or has expired; reload and try again.");

    /// <summary>A form over <see cref="WebForm.MaxBytes"/>, declared or found while reading.</summary>
    public static WebFailure TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Form too large",
        $"The form is larger than {WebForm.MaxBytes / 1024} KiB; send less and try again.");

    public static WebFailure BadRequest(string message) => new(StatusCodes.Status400BadRequest, "Bad request", message);
}
