using System.Net.Http.Headers;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Web;

/// <summary>
/// The one way a page's form is read, by the anti-forgery check and by handlers alike: small
/// application/x-www-form-urlencoded bodies only, with the limits set before the first byte is read. The host's body
/// limit is off for blob uploads (and under the Functions worker), so the request's own limit is lowered here where the
/// server allows it; where it does not, the form limits still bound what is buffered. Stateless.
/// </summary>
internal static class WebForm
{
    /// <summary>The largest form accepted: the biggest page form (a token's repository patterns) is a few KiB.</summary>
    public const int MaxBytes = SmallForm.MaxBytes;

    private const string UrlEncoded = "application/x-www-form-urlencoded";

    private static readonly FormOptions Limits = SmallForm.Options(valueCount: 64);

    /// <summary>
    /// Runs <paramref name="read"/> (anything that reads the form) after setting the limits; the form is read once and
    /// cached, so calling this again is cheap. Throws the 415 page for another content type, the 413 page for a body
    /// over <see cref="MaxBytes"/> (declared, or found while reading), the 400 "form expired" page for a malformed
    /// form, and <see cref="OperationCanceledException"/> when the client went away (nothing is logged for that).
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, Func<Task<T>> read)
    {
        Prepare(context);
        try
        {
            return await read();
        }
        catch (Exception e) when (e is AntiforgeryValidationException or InvalidDataException or IOException)
        {
            // Anti-forgery wraps what reading the form threw (InvalidDataException, IOException, Kestrel's BadHttpRequestException).
            throw FailureFor(context, e.InnerException ?? e);
        }
    }

    /// <summary>The form of this request, read within the limits (see <see cref="ReadAsync{T}"/>).</summary>
    public static Task<IFormCollection> ReadAsync(HttpContext context) =>
        ReadAsync(context, () => context.Request.ReadFormAsync(context.RequestAborted));

    private static void Prepare(HttpContext context)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !string.Equals(type.MediaType, UrlEncoded, StringComparison.OrdinalIgnoreCase))
        {
            throw new WebFailure(StatusCodes.Status415UnsupportedMediaType, "Unsupported form",
                "Pages accept only forms sent as application/x-www-form-urlencoded; reload the page and send the form again.");
        }

        if (request.ContentLength > MaxBytes)
        {
            throw WebFailure.TooLarge();
        }

        // Once set up (or read) the form is cached in the feature; replacing it would read a consumed body again.
        if (context.Features.Get<IFormFeature>() is LimitedForm)
        {
            return;
        }

        SmallForm.LowerBodyLimit(context);
        context.Features.Set<IFormFeature>(new LimitedForm(request));
    }

    private static Exception FailureFor(HttpContext context, Exception e)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return new OperationCanceledException("the client went away while sending the form", e, context.RequestAborted);
        }

        return e switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => WebFailure.TooLarge(),
            _ => WebFailure.BadForm(),
        };
    }

    /// <summary>The form feature with <see cref="Limits"/>; its type marks a request already set up.</summary>
    private sealed class LimitedForm(HttpRequest request) : FormFeature(request, Limits);
}
