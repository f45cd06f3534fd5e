using System.CommandLine;

namespace ServerlessRegistry.Admin.Cli;

/// <summary>
/// <c>openapi [--write FILE]</c>: prints the admin API's OpenAPI document, or writes it (the build does, to
/// docs/openapi/admin-v1.json). Needs no storage and no configuration.
/// </summary>
internal static class OpenApiCommand
{
    public static Command Create()
    {
        var write = new Option<FileInfo?>("--write") { Description = "Write the document to this file (only when it changed) instead of printing it." };
        var command = new Command("openapi", "Print the admin API's OpenAPI 3.1 document (also served at /api/admin/v1/openapi.json).") { write };
        command.SetAction(async (parse, ct) =>
        {
            var document = AdminOpenApi.Generate();
            if (parse.GetValue(write) is not { } file)
            {
                await parse.InvocationConfiguration.Output.WriteAsync(document);
                return 0;
            }

            // Unchanged bytes keep the file's time, so an incremental build stays incremental.
            if (!file.Exists || await File.ReadAllTextAsync(file.FullName, ct) != document)
            {
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, document, ct);
            }

            return 0;
        });
        return command;
    }
}
