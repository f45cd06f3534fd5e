using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>
/// Signs Blob service requests with Shared Key. It sits in the per-retry slot, so every attempt gets a fresh
/// x-ms-date and a signature over exactly the request that goes on the wire.
/// </summary>
internal sealed class SharedKeyBlobPolicy(string accountName, byte[] accountKey, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    // Azure and Azurite order canonical headers culture-aware (en-US, symbols ignored), not ordinally; the
    // ordinal tie-break only keeps the order total.
    private static readonly CompareInfo HeaderOrder = CultureInfo.GetCultureInfo("en-US").CompareInfo;

    private static readonly Comparison<KeyValuePair<string, string>> ByHeaderName = (a, b) =>
    {
        var c = HeaderOrder.Compare(a.Key, b.Key, CompareOptions.IgnoreSymbols);
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    };

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(StringToSign(request, accountName))));
        request.Headers.SetValue("Authorization", "SharedKey " + accountName + ":" + signature);
    }

    /// <summary>The Blob Shared Key string-to-sign (x-ms-version ≥ 2015-02-21) for a request as it will be sent.</summary>
    internal static string StringToSign(Request request, string accountName)
    {
        // The transport derives Content-Length from the content; 0 or no body must be an empty line.
        var contentLength = request.Content is not null && request.Content.TryComputeLength(out var length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : string.Empty;

        var sb = new StringBuilder(256);
        sb.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        sb.Append(Header(request, "Content-Encoding")).Append('\n');
        sb.Append(Header(request, "Content-Language")).Append('\n');
        sb.Append(contentLength).Append('\n');
        sb.Append(Header(request, "Content-MD5")).Append('\n');
        sb.Append(Header(request, "Content-Type")).Append('\n');
        // Date stays empty: x-ms-date is always sent and takes precedence.
        sb.Append('\n');
        sb.Append(Header(request, "If-Modified-Since")).Append('\n');
        sb.Append(Header(request, "If-Match")).Append('\n');
        sb.Append(Header(request, "If-None-Match")).Append('\n');
        sb.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        sb.Append(Header(request, "Range")).Append('\n');
        AppendCanonicalHeaders(sb, request);
        AppendCanonicalResource(sb, request.Uri.ToUri(), accountName);
        return sb.ToString();
    }

    private static string Header(Request request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

    private static void AppendCanonicalHeaders(StringBuilder sb, Request request)
    {
        var headers = new List<KeyValuePair<string, string>>(8);
        foreach (var header in request.Headers)
        {
            if (header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(new(header.Name.ToLowerInvariant(), header.Value.Trim()));
            }
        }

        headers.Sort(ByHeaderName);
        foreach (var (name, value) in headers)
        {
            sb.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private static void AppendCanonicalResource(StringBuilder sb, Uri uri, string accountName)
    {
        // The path as sent: on the emulator it already starts with /{account}, so the account appears twice,
        // which is what the emulator expects.
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath);

        var query = uri.Query;
        if (query.Length <= 1)
        {
            return;
        }

        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = new List<string>(1);
            }

            values.Add(value);
        }

        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            sb.Append('\n').Append(name).Append(':').AppendJoin(',', values);
        }
    }
}
