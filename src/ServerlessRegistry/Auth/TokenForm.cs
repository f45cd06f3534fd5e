using Microsoft.AspNetCore.Http.Features;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Auth;

/// <summary>The token endpoints' form: its limits and the one way it is read.</summary>
internal static partial class TokenEndpoints
{
    /// <summary>The largest form accepted: an Entra access token with many claims is a few KiB.</summary>
    public const int MaxFormBytes = SmallForm.MaxBytes;

    private static readonly FormOptions FormLimits = SmallForm.Options(valueCount: 32);

    /// <summary>
    /// The form, or null after answering 400 invalid_request when the body is not a form, is malformed, or breaks the
    /// limits (<see cref="MaxFormBytes"/>, <see cref="FormLimits"/>).
    /// </summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            await OAuthErrorAsync(context, "invalid_request", "send an application/x-www-form-urlencoded body");
            return null;
        }

        if (request.ContentLength > MaxFormBytes)
        {
            await OAuthErrorAsync(context, "invalid_request", $"the form is larger than {MaxFormBytes / 1024} KiB");
            return null;
        }

        SmallForm.LowerBodyLimit(context);
        context.Features.Set<IFormFeature>(new FormFeature(request, FormLimits));
        try
        {
            return await request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested &&
                                  e is InvalidDataException or InvalidOperationException or BadHttpRequestException or IOException)
        {
            // Malformed multipart, %00 in a value, too many keys, a value or body over the limits.
            await OAuthErrorAsync(context, "invalid_request", "the form is malformed or too large: " + e.Message);
            return null;
        }
    }
}
