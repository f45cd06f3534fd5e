using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Table;

/// <summary>
/// Entities as Table JSON (OData v3, minimal metadata). Types the service cannot infer from a JSON value
/// (Int64, Binary, DateTime) carry a "Name@odata.type" annotation on write and come back with one on read,
/// so a row reads back as the same CLR types it was written with.
/// </summary>
internal static class EntityJson
{
    private const string TypeSuffix = "@odata.type";
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>One line of JSON with keys and properties: Azurite finds batch bodies by a single-line match.</summary>
    public static byte[] Write(TableRow row)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("PartitionKey", row.PartitionKey);
            json.WriteString("RowKey", row.RowKey);
            foreach (var (name, value) in row.Properties)
            {
                CheckName(name);
                WriteProperty(json, name, value);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteProperty(Utf8JsonWriter json, string name, object value)
    {
        switch (value)
        {
            case string s:
                json.WriteString(name, s);
                break;
            case int i:
                json.WriteNumber(name, i);
                break;
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case long l:
                // Edm.Int64 travels as a string: JSON numbers lose precision past 2^53 in many parsers.
                json.WriteString(name + TypeSuffix, "Edm.Int64");
                json.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                json.WriteString(name + TypeSuffix, "Edm.Binary");
                json.WriteBase64String(name, bytes);
                break;
            case DateTimeOffset time:
                json.WriteString(name + TypeSuffix, "Edm.DateTime");
                json.WriteString(name, time.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.", nameof(value));
        }
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0 || !name.All(char.IsAsciiLetterOrDigit) ||
            name is "PartitionKey" or "RowKey" or "Timestamp" or "ETag")
        {
            throw new ArgumentException($"'{name}' is not a valid property name.", nameof(name));
        }
    }

    /// <summary>
    /// Reads one entity. <paramref name="etag"/> (the ETag header of a point read) wins over odata.etag in the
    /// body; both are kept byte-for-byte because the service compares them verbatim.
    /// </summary>
    public static TableRow Read(JsonElement entity, string? etag = null)
    {
        string? partitionKey = null, rowKey = null, bodyEtag = null;
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var property in entity.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag")
            {
                bodyEtag = property.Value.GetString();
            }
            else if (name == "PartitionKey")
            {
                partitionKey = property.Value.GetString();
            }
            else if (name == "RowKey")
            {
                rowKey = property.Value.GetString();
            }
            else if (!name.StartsWith("odata.", StringComparison.Ordinal) && !name.Contains('@', StringComparison.Ordinal) &&
                     name != "Timestamp" && property.Value.ValueKind != JsonValueKind.Null)
            {
                var type = entity.TryGetProperty(name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
                properties[name] = ReadValue(name, property.Value, type);
            }
        }

        if (partitionKey is null || rowKey is null)
        {
            throw new FormatException("The entity has no PartitionKey or RowKey.");
        }

        return new TableRow(partitionKey, rowKey) { ETag = etag ?? bodyEtag, Properties = properties };
    }

    private static object ReadValue(string name, JsonElement value, string? type) => type switch
    {
        "Edm.Int64" => long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        "Edm.Binary" => value.GetBytesFromBase64(),
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        "Edm.Int32" => value.ValueKind == JsonValueKind.String
            ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt32(),
        "Edm.Double" => value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble(),
        "Edm.String" or "Edm.Guid" => value.GetString()!,
        "Edm.Boolean" => value.GetBoolean(),
        null => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            // Untyped integers are Int32 on the service; anything else would be a Double.
            JsonValueKind.Number => value.TryGetInt32(out var i) ? (object)i : value.GetDouble(),
            _ => throw new FormatException($"Property '{name}' has an unexpected JSON value."),
        },
        _ => throw new FormatException($"Property '{name}' has unsupported type {type}."),
    };
}
