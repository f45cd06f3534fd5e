using Azure;
using Azure.Data.Tables;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Table;

/// <summary>
/// Between the port's rows and the client's entities: property types both ways, the OData filter of a query
/// (quoted by the client), and the checks the service would otherwise make after a round trip.
/// </summary>
internal static class TableRows
{
    public static TableEntity ToEntity(TableRow row)
    {
        var entity = new TableEntity(row.PartitionKey, row.RowKey);
        // Names and types were checked by RowRules.ValidateOperation.
        foreach (var (name, value) in row.Properties)
        {
            entity[name] = value is DateTimeOffset time ? time.ToUniversalTime() : value;
        }

        return entity;
    }

    /// <summary>Reads an entity back as the CLR types it was written with; the ETag is kept verbatim.</summary>
    public static TableRow FromEntity(TableEntity entity)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in entity)
        {
            if (value is null || name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal) ||
                name.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            properties[name] = value switch
            {
                BinaryData data => data.ToArray(),
                DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
                DateTimeOffset time => time.ToUniversalTime(),
                _ => value,
            };
        }

        var etag = entity.TryGetValue("odata.etag", out var raw) && raw is string s ? s : entity.ETag.ToString();
        return new TableRow(entity.PartitionKey, entity.RowKey) { ETag = etag, Properties = properties };
    }

    public static TableTransactionAction ToAction(RowOperation operation) => operation.Kind switch
    {
        RowOperationKind.Insert => new(TableTransactionActionType.Add, ToEntity(operation.Row)),
        RowOperationKind.Upsert => new(TableTransactionActionType.UpsertReplace, ToEntity(operation.Row)),
        RowOperationKind.Replace => new(TableTransactionActionType.UpdateReplace, ToEntity(operation.Row), new ETag(operation.IfMatch)),
        RowOperationKind.Delete => new(TableTransactionActionType.Delete, new TableEntity(operation.Row.PartitionKey, operation.Row.RowKey),
            new ETag(operation.IfMatch)),
        _ => throw new ArgumentException($"Unknown operation {operation.Kind}.", nameof(operation)),
    };

    /// <summary>The OData filter for <paramref name="query"/>, every literal quoted by the client; empty when unconditional.</summary>
    public static string Filter(RowQuery query)
    {
        var terms = new List<string>();
        if (query.PartitionKey is { } partition)
        {
            terms.Add(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"));
        }

        if (query.RowKeyFrom is { } from)
        {
            terms.Add(query.FromExclusive ? TableClient.CreateQueryFilter($"RowKey gt {from}") : TableClient.CreateQueryFilter($"RowKey ge {from}"));
        }

        if (query.RowKeyTo is { } to)
        {
            terms.Add(TableClient.CreateQueryFilter($"RowKey lt {to}"));
        }

        RowRules.ValidateWhere(query);
        foreach (var (name, value) in query.Where ?? new Dictionary<string, string>())
        {
            // The name is checked above; only the value is a literal.
            terms.Add(name + " eq " + TableClient.CreateQueryFilter($"{value}"));
        }

        return string.Join(" and ", terms);
    }
}
