using System.Collections.Frozen;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Errors;

/// <summary>
/// The one place that gives each refusal its spec error code and HTTP status. Call sites name an
/// <see cref="ErrorKind"/>; they never choose a status.
/// </summary>
internal static class ErrorTable
{
    public readonly record struct Entry(string Code, int Status);

    private static readonly FrozenDictionary<ErrorKind, Entry> Entries = new Dictionary<ErrorKind, Entry>
    {
        [ErrorKind.BlobUnknown] = new("BLOB_UNKNOWN", 404),
        [ErrorKind.BlobUploadInvalid] = new("BLOB_UPLOAD_INVALID", 400),
        [ErrorKind.BlobUploadUnknown] = new("BLOB_UPLOAD_UNKNOWN", 404),
        [ErrorKind.RangeInvalid] = new("BLOB_UPLOAD_INVALID", 416),
        [ErrorKind.DigestInvalid] = new("DIGEST_INVALID", 400),
        [ErrorKind.ManifestBlobUnknown] = new("MANIFEST_BLOB_UNKNOWN", 400),
        [ErrorKind.ManifestInvalid] = new("MANIFEST_INVALID", 400),
        [ErrorKind.ManifestUnknown] = new("MANIFEST_UNKNOWN", 404),
        [ErrorKind.ManifestTooLarge] = new("SIZE_INVALID", 413),
        [ErrorKind.NameInvalid] = new("NAME_INVALID", 400),
        [ErrorKind.NameUnknown] = new("NAME_UNKNOWN", 404),
        [ErrorKind.SizeInvalid] = new("SIZE_INVALID", 400),
        [ErrorKind.TagInvalid] = new("TAG_INVALID", 400),
        [ErrorKind.PaginationNumberInvalid] = new("PAGINATION_NUMBER_INVALID", 400),
        [ErrorKind.Unauthorized] = new("UNAUTHORIZED", 401),
        [ErrorKind.Denied] = new("DENIED", 403),
        [ErrorKind.Unsupported] = new("UNSUPPORTED", 405),
        [ErrorKind.TooManyRequests] = new("TOOMANYREQUESTS", 429),
        [ErrorKind.RouteUnknown] = new("UNSUPPORTED", 404),
        [ErrorKind.MethodNotAllowed] = new("UNSUPPORTED", 405),
        [ErrorKind.Unavailable] = new("UNAVAILABLE", 503),
        // The spec has no code for a request refused for its shape; SIZE_INVALID and BLOB_UPLOAD_INVALID come closest.
        [ErrorKind.RequestTargetTooLong] = new("SIZE_INVALID", 414),
        [ErrorKind.HeadersTooLarge] = new("SIZE_INVALID", 431),
        [ErrorKind.RequestTimeout] = new("BLOB_UPLOAD_INVALID", 408),
        // The admin API's own codes: the OCI spec has none for these.
        [ErrorKind.Invalid] = new("INVALID", 400),
        [ErrorKind.NotFound] = new("NOT_FOUND", 404),
        [ErrorKind.Conflict] = new("CONFLICT", 409),
        // UNKNOWN is the code distribution answers for its own failures; 500 rather than 503 so clients do not retry.
        [ErrorKind.Internal] = new("UNKNOWN", 500),
    }.ToFrozenDictionary();

    public static Entry For(ErrorKind kind) => Entries[kind];

    /// <summary>Every kind has an entry (checked by a test).</summary>
    public static bool Covers(ErrorKind kind) => Entries.ContainsKey(kind);
}
