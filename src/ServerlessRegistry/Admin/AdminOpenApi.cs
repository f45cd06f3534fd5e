using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using ServerlessRegistry.Errors;

namespace ServerlessRegistry.Admin;

/// <summary>
/// The admin API's OpenAPI 3.1 document, generated from <see cref="AdminRoutes"/> and the types its operations read and
/// answer (schemas by System.Text.Json's exporter, with the same options the API serializes with, so the document
/// cannot describe another shape). The build writes it to docs/openapi/admin-v1.json; a test compares that file with
/// this output; the registry serves it at /api/admin/v1/openapi.json. Deterministic: the same code gives the same bytes.
/// </summary>
internal static class AdminOpenApi
{
    public const string CheckedInPath = "docs/openapi/admin-v1.json";

    private static readonly Lazy<byte[]> Bytes = new(() => Encoding.UTF8.GetBytes(Generate()));

    public static Task<AdminResult> GetDocument(AdminRequest request) =>
        Task.FromResult(AdminResult.Ok(Bytes.Value));

    /// <summary>The document as indented JSON with a final newline.</summary>
    public static string Generate()
    {
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var paths = new JsonObject();
        foreach (var group in AdminRoutes.Operations.GroupBy(o => o.Path))
        {
            var item = new JsonObject();
            foreach (var operation in group)
            {
                item[operation.Method.ToLowerInvariant()] = Operation(operation, schemas);
            }

            paths[group.Key] = item;
        }

        schemas["Error"] = ErrorSchema();
        var components = new JsonObject
        {
            ["schemas"] = new JsonObject(schemas.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
            ["securitySchemes"] = new JsonObject
            {
                ["entra"] = new JsonObject
                {
                    ["type"] = "http",
                    ["scheme"] = "bearer",
                    ["description"] = "An Entra ID access token for the registry's API app (az account get-access-token --resource <app ID URI>) whose identity holds the Registry.Admin role.",
                },
                ["accessToken"] = new JsonObject
                {
                    ["type"] = "http",
                    ["scheme"] = "basic",
                    ["description"] = "An access token created with the admin action: its name as the username, its secret as the password.",
                },
            },
        };
        var document = new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "ServerlessRegistry admin API",
                ["version"] = "v1",
                ["description"] = "Administration of a ServerlessRegistry: access tokens, usage, garbage collection, policies and locks, cache rules, event endpoints, and declarative apply. " +
                                  "Every operation needs an admin caller; refusals use the registry's error envelope {\"errors\":[{\"code\",\"message\",\"detail\"}]}. Lists are paged with n and last.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = AdminRoutes.Prefix }),
            ["security"] = new JsonArray(new JsonObject { ["entra"] = new JsonArray() }, new JsonObject { ["accessToken"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = components,
        };
        return document.ToJsonString(AdminJson.Indented).ReplaceLineEndings("\n") + "\n";
    }

    private static JsonObject Operation(AdminOperation operation, IDictionary<string, JsonNode> schemas)
    {
        var node = new JsonObject
        {
            ["operationId"] = operation.Id,
            ["tags"] = new JsonArray(operation.Tag),
            ["summary"] = operation.Summary,
        };
        var parameters = new JsonArray();
        foreach (var segment in operation.Segments.Where(s => s.StartsWith('{')))
        {
            parameters.Add(Parameter(segment[1..^1], "path", typeof(string), null, required: true));
        }

        foreach (var query in operation.Query)
        {
            parameters.Add(Parameter(query.Name, "query", query.Type, query.Description, query.Required));
        }

        if (operation.Paged)
        {
            parameters.Add(Parameter("n", "query", typeof(int), $"items per page, 1 to {AdminPaging.Max} (default {AdminPaging.Default})", false));
            parameters.Add(Parameter("last", "query", typeof(string), "the previous page's next: the page starts after it", false));
        }

        if (parameters.Count > 0)
        {
            node["parameters"] = parameters;
        }

        if (operation.Body is { } body)
        {
            node["requestBody"] = new JsonObject { ["required"] = true, ["content"] = Content(Reference(body, schemas)) };
        }

        if (operation.Anonymous)
        {
            node["security"] = new JsonArray();
        }

        var responses = new JsonObject();
        var success = operation.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        responses[success] = operation.Response is { } response
            ? new JsonObject { ["description"] = operation.MayCreate ? "Replaced." : "Success.", ["content"] = Content(Reference(response, schemas)) }
            : new JsonObject { ["description"] = "Done; no body." };
        if (operation.MayCreate)
        {
            responses["201"] = new JsonObject { ["description"] = "Created.", ["content"] = Content(Reference(operation.Response!, schemas)) };
        }

        var errors = operation.Anonymous ? [] : new[] { Core.Errors.ErrorKind.Invalid, Core.Errors.ErrorKind.Unauthorized, Core.Errors.ErrorKind.Denied }.Concat(operation.Errors);
        foreach (var status in errors.Select(k => ErrorTable.For(k).Status).Distinct().Order())
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = Describe(status),
                ["content"] = Content(new JsonObject { ["$ref"] = "#/components/schemas/Error" }),
            };
        }

        node["responses"] = responses;
        return node;
    }

    private static JsonObject Parameter(string name, string where, Type type, string? description, bool required)
    {
        var parameter = new JsonObject { ["name"] = name, ["in"] = where, ["required"] = required };
        if (description is not null)
        {
            parameter["description"] = description;
        }

        parameter["schema"] = new JsonObject { ["type"] = type == typeof(bool) ? "boolean" : type == typeof(int) ? "integer" : "string" };
        return parameter;
    }

    private static JsonObject Content(JsonNode schema) => new() { [AdminJson.MediaType] = new JsonObject { ["schema"] = schema } };

    /// <summary>A $ref to the type's schema, added to the components under a readable name (Page&lt;TokenView&gt; is TokenViewPage).</summary>
    private static JsonObject Reference(Type type, IDictionary<string, JsonNode> schemas)
    {
        var name = SchemaName(type);
        if (!schemas.ContainsKey(name))
        {
            schemas[name] = AdminJson.Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions
            {
                TreatNullObliviousAsNonNullable = true,
                TransformSchemaNode = Describe,
            });
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }

    private static string SchemaName(Type type) =>
        type.IsGenericType ? string.Concat(type.GetGenericArguments().Select(SchemaName)) + type.Name[..type.Name.IndexOf('`')] : type.Name;

    /// <summary>A [Description] on a property or type becomes the schema's description.</summary>
    private static JsonNode Describe(JsonSchemaExporterContext context, JsonNode schema)
    {
        var provider = context.PropertyInfo?.AttributeProvider ?? (context.Path.IsEmpty ? context.TypeInfo.Type : null);
        if (schema is JsonObject node && provider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).OfType<DescriptionAttribute>().FirstOrDefault() is { } description)
        {
            node.Insert(0, "description", description.Description);
        }

        return schema;
    }

    private static JsonObject ErrorSchema() => JsonNode.Parse("""
        {"type":"object","description":"The registry's error envelope.","required":["errors"],"properties":{"errors":{"type":"array","items":{"type":"object","required":["code","message"],"properties":{"code":{"type":"string","description":"INVALID, NOT_FOUND, CONFLICT, UNAUTHORIZED, DENIED, PAGINATION_NUMBER_INVALID, UNAVAILABLE, UNKNOWN"},"message":{"type":"string"},"detail":{"type":"object","additionalProperties":{"type":"string"}}}}}}}
        """)!.AsObject();

    private static string Describe(int status) => status switch
    {
        400 => "The request is malformed (INVALID, PAGINATION_NUMBER_INVALID).",
        401 => "No credentials, or credentials the registry does not accept (UNAUTHORIZED).",
        403 => "The caller is not an admin (DENIED).",
        404 => "No such resource (NOT_FOUND).",
        409 => "The change collides with what exists (CONFLICT).",
        _ => "Refused.",
    };
}
