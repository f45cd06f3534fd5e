using Azure.Storage;
using Azure.Storage.Sas;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>Mints the query string of a read URL for one blob. Makes no request except an occasional key refresh.</summary>
internal interface IBlobReadSigner
{
    /// <summary>
    /// A SAS query (no leading '?') that allows reading exactly <paramref name="blobName"/> from a little before
    /// now until now + <paramref name="lifetime"/>.
    /// </summary>
    ValueTask<string> SignReadAsync(Uri blobUri, string container, string blobName, TimeSpan lifetime, CancellationToken cancellationToken);
}

/// <summary>How both signers fill in the SAS: read-only, one blob, a start a little in the past, HTTPS unless the endpoint is HTTP.</summary>
internal static class ReadSas
{
    /// <summary>Tolerated clock difference between this host and the storage service.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static BlobSasBuilder For(Uri blobUri, string container, string blobName, DateTimeOffset now, TimeSpan lifetime)
    {
        var builder = new BlobSasBuilder
        {
            BlobContainerName = container,
            BlobName = blobName,
            Resource = "b",
            // SAS times are whole seconds; truncating keeps the start inside a key that began at a whole second too.
            StartsOn = Truncate(now - ClockSkew),
            ExpiresOn = Truncate(now + lifetime),
            // Azurite serves plain HTTP; real endpoints are HTTPS and the SAS then refuses anything else.
            Protocol = blobUri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        builder.SetPermissions(BlobSasPermissions.Read);
        return builder;
    }

    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}

/// <summary>Service SAS signed with the account key: the emulator only, since Azure accounts have shared keys off.</summary>
internal sealed class ServiceSasSigner(StorageSharedKeyCredential key, TimeProvider time) : IBlobReadSigner
{
    public ValueTask<string> SignReadAsync(Uri blobUri, string container, string blobName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ReadSas.For(blobUri, container, blobName, time.GetUtcNow(), lifetime).ToSasQueryParameters(key).ToString());
}
