using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>The checked-in OpenAPI document is what the code generates, and it names every operation of the route table.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public void The_checked_in_document_matches_the_code()
    {
        var checkedIn = File.ReadAllText(RepoRoot.Combine(AdminOpenApi.CheckedInPath));
        Assert.True(checkedIn == AdminOpenApi.Generate(),
            $"{AdminOpenApi.CheckedInPath} differs from what the code generates: build the solution outside CI (dotnet build) to rewrite it, and commit the change.");
    }

    [Fact]
    public void Every_operation_is_in_the_document_once_with_its_schemas()
    {
        using var document = JsonDocument.Parse(AdminOpenApi.Generate());
        var root = document.RootElement;
        var ids = root.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => m.Value.GetProperty("operationId").GetString()))
            .ToList();
        Assert.Equal(AdminRoutes.Operations.Select(o => o.Id).Order(), ids.Order());
        var schemas = root.GetProperty("components").GetProperty("schemas");
        foreach (var reference in References(root))
        {
            Assert.True(schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _), reference);
        }
    }

    private static IEnumerable<string> References(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => p.Name == "$ref" ? [p.Value.GetString()!] : References(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(References),
        _ => [],
    };
}
