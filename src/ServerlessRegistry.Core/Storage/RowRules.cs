namespace ServerlessRegistry.Core.Storage;

/// <summary>
/// What every <see cref="IMetadataStore"/> rejects before any I/O, with <see cref="ArgumentException"/>: the same
/// rules the Table service enforces, so a backend without a service behaves the same.
/// </summary>
public static class RowRules
{
    /// <summary>Most operations in one batch.</summary>
    public const int MaxBatch = 100;

    /// <summary>Most rows in one query page.</summary>
    public const int MaxTop = 1000;

    /// <summary>One partition, each row once, at most <see cref="MaxBatch"/> operations, each with a usable condition.</summary>
    public static void ValidateBatch(IReadOnlyList<RowOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count > MaxBatch)
        {
            throw new ArgumentException($"A batch holds at most {MaxBatch} operations, not {operations.Count}.", nameof(operations));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in operations)
        {
            ValidateOperation(operation);
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

    /// <summary>
    /// Replace and delete need an ETag or "*" (an empty one would read as "no condition"); property names and
    /// types are those <see cref="TableRow"/> allows.
    /// </summary>
    public static void ValidateOperation(RowOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Kind is RowOperationKind.Replace or RowOperationKind.Delete && string.IsNullOrEmpty(operation.IfMatch))
        {
            throw new ArgumentException($"{operation.Kind} needs an ETag or \"*\" to match.", nameof(operation));
        }

        foreach (var (name, value) in operation.Row.Properties)
        {
            if (!IsPropertyName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid property name.", nameof(operation));
            }

            if (value is not (string or int or long or bool or byte[] or DateTimeOffset))
            {
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.", nameof(operation));
            }
        }
    }

    /// <summary>[A-Za-z0-9]+ and not one of the reserved names.</summary>
    public static bool IsPropertyName(string name) =>
        name.Length > 0 && name.All(char.IsAsciiLetterOrDigit) && name is not ("PartitionKey" or "RowKey" or "Timestamp" or "ETag");

    /// <summary>The page size a query asks for, capped at <see cref="MaxTop"/>; null when it sets none.</summary>
    public static int? PageSize(RowQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Top is not { } top)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1, nameof(query));
        return Math.Min(top, MaxTop);
    }

    /// <summary>Checks the property names of <see cref="RowQuery.Where"/> and <see cref="RowQuery.Select"/>.</summary>
    public static void ValidateWhere(RowQuery query)
    {
        foreach (var name in (query.Where?.Keys ?? []).Concat(query.Select ?? []))
        {
            if (name.Length == 0 || !name.All(char.IsAsciiLetterOrDigit))
            {
                throw new ArgumentException($"'{name}' is not a valid property name.", nameof(query));
            }
        }
    }
}
