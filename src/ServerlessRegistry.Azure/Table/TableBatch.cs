using System.Globalization;
using System.Text;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Table;

/// <summary>
/// The entity group transaction wire format: one multipart/mixed batch holding one changeset of HTTP
/// requests. Written for Azurite's parser as much as for the spec: CRLF line ends, absolute inner URLs
/// (Azurite reads the table from the path), one-line JSON bodies (found by a single-line match).
/// </summary>
internal static class TableBatch
{
    public const int MaxOperations = 100;
    private const string Crlf = "\r\n";

    /// <summary>Rejects what the service would reject anyway, before any I/O.</summary>
    public static void Validate(IReadOnlyList<RowOperation> operations)
    {
        if (operations.Count > MaxOperations)
        {
            throw new ArgumentException($"A batch holds at most {MaxOperations} operations, not {operations.Count}.", nameof(operations));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            ValidateCondition(operation);
            if (!string.Equals(operation.Row.PartitionKey, operations[0].Row.PartitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException("All operations of a batch must share one partition key.", nameof(operations));
            }

            if (!seen.Add(operation.Row.RowKey))
            {
                throw new ArgumentException($"Row '{operation.Row.RowKey}' appears twice in one batch.", nameof(operations));
            }
        }
    }

    /// <summary>Replace and delete need an If-Match; an empty one would read as "no condition" or fail oddly.</summary>
    public static void ValidateCondition(RowOperation operation)
    {
        if (operation.Kind is RowOperationKind.Replace or RowOperationKind.Delete && string.IsNullOrEmpty(operation.IfMatch))
        {
            throw new ArgumentException($"{operation.Kind} needs an ETag or \"*\" to match.", nameof(operation));
        }
    }

    /// <summary>
    /// Builds the request body for <paramref name="operations"/> on the table at <paramref name="tableUrl"/>
    /// (absolute, e.g. http://127.0.0.1:10002/devstoreaccount1/t1repos); returns it with the Content-Type
    /// that names its boundary. Boundaries are parameters so tests can pin the bytes.
    /// </summary>
    public static (string ContentType, byte[] Body) Build(string tableUrl, IReadOnlyList<RowOperation> operations,
        string batchBoundary, string changesetBoundary)
    {
        var text = new StringBuilder();
        text.Append("--").Append(batchBoundary).Append(Crlf)
            .Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append(Crlf)
            .Append(Crlf);
        for (var i = 0; i < operations.Count; i++)
        {
            AppendOperation(text, tableUrl, changesetBoundary, operations[i], i);
        }

        text.Append("--").Append(changesetBoundary).Append("--").Append(Crlf)
            .Append("--").Append(batchBoundary).Append("--").Append(Crlf);
        return ("multipart/mixed; boundary=" + batchBoundary, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static void AppendOperation(StringBuilder text, string tableUrl, string changeset, RowOperation operation, int index)
    {
        var row = operation.Row;
        var slash = tableUrl.LastIndexOf('/');
        var (verb, url) = operation.Kind switch
        {
            RowOperationKind.Insert => ("POST", tableUrl),
            _ => (operation.Kind == RowOperationKind.Delete ? "DELETE" : "PUT",
                tableUrl[..(slash + 1)] + TableAddress.EntityPath(tableUrl[(slash + 1)..], row.PartitionKey, row.RowKey)),
        };

        text.Append("--").Append(changeset).Append(Crlf);
        text.Append("Content-Type: application/http").Append(Crlf)
            .Append("Content-Transfer-Encoding: binary").Append(Crlf)
            .Append(Crlf)
            .Append(verb).Append(' ').Append(url).Append(" HTTP/1.1").Append(Crlf)
            .Append("Content-ID: ").Append((index + 1).ToString(CultureInfo.InvariantCulture)).Append(Crlf)
            .Append("Accept: application/json;odata=minimalmetadata").Append(Crlf)
            .Append("DataServiceVersion: 3.0;").Append(Crlf);
        if (operation.Kind is RowOperationKind.Replace or RowOperationKind.Delete)
        {
            text.Append("If-Match: ").Append(operation.IfMatch).Append(Crlf);
        }

        if (operation.Kind == RowOperationKind.Delete)
        {
            text.Append(Crlf).Append(Crlf);
            return;
        }

        text.Append("Content-Type: application/json").Append(Crlf)
            .Append("Prefer: return-no-content").Append(Crlf)
            .Append(Crlf)
            .Append(Encoding.UTF8.GetString(EntityJson.Write(row))).Append(Crlf);
    }

    /// <summary>
    /// Reads a batch response. Null means every inner response succeeded; otherwise the first inner failure,
    /// with the index of the failing operation taken from the error message ("2:…") or else its Content-ID.
    /// </summary>
    public static BatchFailure? Parse(string body)
    {
        var lines = body.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (!line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || line.Length < 12 ||
                !int.TryParse(line.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                continue;
            }

            if (status is >= 200 and < 300)
            {
                continue;
            }

            var contentId = -1;
            for (i++; i < lines.Length && lines[i].TrimEnd('\r').Length > 0; i++)
            {
                var header = lines[i].TrimEnd('\r');
                if (header.StartsWith("Content-ID:", StringComparison.OrdinalIgnoreCase) &&
                    int.TryParse(header.AsSpan(11).Trim(), CultureInfo.InvariantCulture, out var id))
                {
                    contentId = id;
                }
            }

            var json = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("--", StringComparison.Ordinal); i++)
            {
                json.Append(lines[i]).Append('\n');
            }

            var (code, message) = TableErrors.ReadError(json.ToString());
            return new BatchFailure(status, code, message, IndexFrom(message) ?? (contentId > 0 ? contentId - 1 : -1));
        }

        return null;
    }

    private static int? IndexFrom(string? message)
    {
        var colon = message?.IndexOf(':') ?? -1;
        return colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index : null;
    }
}

/// <summary>The inner response that failed a batch: its status, error code and message, and the operation index (-1 if unknown).</summary>
internal sealed record BatchFailure(int Status, string? Code, string? Message, int Index);
