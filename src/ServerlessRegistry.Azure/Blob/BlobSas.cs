using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>Mints the query part of a read-only URL for one blob.</summary>
internal interface IBlobReadSigner
{
    /// <summary>
    /// A SAS query (no leading '?') that allows reading exactly <paramref name="blobName"/> from a little before
    /// now until now + <paramref name="lifetime"/>.
    /// </summary>
    ValueTask<string> SignReadAsync(string container, string blobName, TimeSpan lifetime, CancellationToken cancellationToken);
}

/// <summary>
/// Service SAS signed with the account key (sv=2025-05-05, 16-field layout). Used when the store has the key,
/// i.e. on Azurite; Azure accounts with shared-key access off need <see cref="UserDelegationSas"/>.
/// </summary>
internal sealed class BlobSas(string accountName, byte[] accountKey, bool https, TimeProvider time) : IBlobReadSigner
{
    public const string Version = StoragePipeline.ServiceVersion;

    /// <summary>How far back the start time goes, so a server clock slightly behind ours accepts a fresh URL.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public ValueTask<string> SignReadAsync(string container, string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var start = FormatTime(now - ClockSkew);
        var expiry = FormatTime(now + lifetime);
        var protocol = Protocol(https);
        var signature = Sign(accountKey, StringToSign(start, expiry, CanonicalResource(accountName, container, blobName), protocol));
        return ValueTask.FromResult(
            $"sv={Version}&sr=b&sp=r&st={Encode(start)}&se={Encode(expiry)}&spr={Encode(protocol)}&sig={Encode(signature)}");
    }

    /// <summary>The 16 service SAS fields for a read of one blob, in the order sv ≥ 2020-12-06 signs them.</summary>
    internal static string StringToSign(string start, string expiry, string canonicalResource, string protocol) => string.Join('\n',
        "r", start, expiry, canonicalResource,
        "", // si: no stored access policy
        "", // sip
        protocol, Version, "b",
        "", // snapshot time / version id
        "", // ses
        "", "", "", "", ""); // rscc, rscd, rsce, rscl, rsct

    /// <summary>SAS times: UTC, whole seconds; the service signs the literal string, so this is what goes in the URL.</summary>
    internal static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>https only, except on a plain-http endpoint (the emulator), where the URL must also work over http.</summary>
    internal static string Protocol(bool https) => https ? "https" : "https,http";

    /// <summary>The signed resource: unencoded blob name, account once (also on the emulator).</summary>
    internal static string CanonicalResource(string accountName, string container, string blobName) =>
        "/blob/" + accountName + "/" + container + "/" + blobName;

    internal static string Sign(byte[] key, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

    internal static string Encode(string value) => Uri.EscapeDataString(value);
}
