using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>One page of a List Blobs answer. Every entry says Committed = true; the store decides the flag.</summary>
internal readonly record struct BlobListPage(IReadOnlyList<StoredBlob> Blobs, string? NextMarker);

/// <summary>A user delegation key, with every field kept exactly as the service returned it.</summary>
internal sealed record UserDelegationKey(
    string SignedOid, string SignedTid, string SignedStart, string SignedExpiry, string SignedService, string SignedVersion, string Value);

/// <summary>
/// The Blob service's XML bodies. Answers are always parsed from bytes: Azure prefixes them with a UTF-8 BOM
/// and Azurite does not, and only a byte-level reader handles both.
/// </summary>
internal static class BlobXml
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
    };

    /// <summary>A Put Block List body naming the blocks in blob order. Latest = the newest staged copy wins.</summary>
    public static byte[] BlockList(IReadOnlyList<string> blockIds)
    {
        var sb = new StringBuilder(64 + (blockIds.Count * 32));
        sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            // Base64 needs no escaping; escaping anyway keeps a malformed id from breaking the document.
            sb.Append("<Latest>").Append(SecurityElement.Escape(id)).Append("</Latest>");
        }

        return Encoding.UTF8.GetBytes(sb.Append("</BlockList>").ToString());
    }

    public static byte[] KeyInfo(string start, string expiry) => Encoding.UTF8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeyInfo><Start>" + start + "</Start><Expiry>" + expiry + "</Expiry></KeyInfo>");

    public static BlobListPage ParseList(Stream body)
    {
        var root = Load(body);
        var blobs = new List<StoredBlob>();
        foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
        {
            var properties = blob.Element("Properties");
            var lengthText = properties?.Element("Content-Length")?.Value;
            var modifiedText = properties?.Element("Last-Modified")?.Value;
            blobs.Add(new StoredBlob(
                blob.Element("Name")?.Value ?? throw Malformed("a Blob without a Name"),
                string.IsNullOrEmpty(lengthText) ? 0 : long.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture),
                string.IsNullOrEmpty(modifiedText) ? default : DateTimeOffset.ParseExact(modifiedText, "R", CultureInfo.InvariantCulture),
                Committed: true));
        }

        var next = root.Element("NextMarker")?.Value;
        return new BlobListPage(blobs, string.IsNullOrEmpty(next) ? null : next);
    }

    public static UserDelegationKey ParseUserDelegationKey(Stream body)
    {
        var root = Load(body);
        string Field(string name) => root.Element(name)?.Value ?? throw Malformed("a user delegation key without " + name);
        return new UserDelegationKey(
            Field("SignedOid"), Field("SignedTid"), Field("SignedStart"), Field("SignedExpiry"),
            Field("SignedService"), Field("SignedVersion"), Field("Value"));
    }

    /// <summary>The Code of an error body, or null when there is none (HEAD answers have no body).</summary>
    public static string? TryReadErrorCode(Stream? body)
    {
        if (body is null || (body.CanSeek && body.Length == 0))
        {
            return null;
        }

        try
        {
            if (body.CanSeek)
            {
                body.Position = 0; // the code may be asked for more than once
            }

            return Load(body).Element("Code")?.Value;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static XElement Load(Stream body)
    {
        using var reader = XmlReader.Create(body, ReaderSettings);
        return XElement.Load(reader);
    }

    private static StorageException Malformed(string what) => new("Blob storage returned " + what + ".");
}
