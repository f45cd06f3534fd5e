using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Azure.Table;

/// <summary>
/// Shared Key for the Table service: <c>VERB\nContent-MD5\nContent-Type\nDate\nCanonicalizedResource</c>.
/// Unlike Blob, no x-ms-* headers are canonicalized and the Date line is never empty: it carries the
/// x-ms-date value we send. Sits in the per-retry stage so every attempt gets a fresh date and signature.
/// </summary>
internal sealed class SharedKeyTablePolicy : HttpPipelineSynchronousPolicy
{
    private readonly string _accountName;
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public SharedKeyTablePolicy(string accountName, string accountKey, TimeProvider time)
    {
        _accountName = accountName;
        _key = Convert.FromBase64String(accountKey);
        _time = time;
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = _time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);

        request.Headers.TryGetValue("Content-MD5", out var md5);
        request.Headers.TryGetValue("Content-Type", out var contentType);
        // Sign the path exactly as it goes on the wire (still percent-encoded); Azurite and Azure both use it raw.
        var uri = request.Uri.ToUri();
        var toSign = StringToSign(request.Method.Method, md5, contentType, date,
            CanonicalizedResource(_accountName, uri.AbsolutePath, uri.Query));
        request.Headers.SetValue("Authorization", $"SharedKey {_accountName}:{Sign(toSign, _key)}");
    }

    internal static string StringToSign(string verb, string? contentMd5, string? contentType, string date, string resource) =>
        string.Join('\n', verb.ToUpperInvariant(), contentMd5 ?? "", contentType ?? "", date, resource);

    /// <summary>"/" + account + encoded path, plus "?comp=…" only when comp is present ($filter etc. are unsigned).</summary>
    internal static string CanonicalizedResource(string accountName, string encodedPath, string query)
    {
        var resource = "/" + accountName + (encodedPath.Length == 0 ? "/" : encodedPath);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (string.Equals(Uri.UnescapeDataString(name), "comp", StringComparison.OrdinalIgnoreCase))
            {
                resource += "?comp=" + Uri.UnescapeDataString(eq < 0 ? "" : pair[(eq + 1)..]);
                break;
            }
        }

        return resource;
    }

    internal static string Sign(string stringToSign, byte[] key) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
}
