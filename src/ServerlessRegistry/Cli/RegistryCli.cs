using System.CommandLine;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Cli;

/// <summary>
/// The program's command line. With no command (as the Functions host starts it) or with <c>serve</c> it runs
/// the registry; the other commands cover operations that have no HTTP endpoint. Each command lives in its own
/// file and is listed once in <see cref="Commands"/>.
/// </summary>
internal static class RegistryCli
{
    private static IEnumerable<Command> Commands() =>
    [
        ServeCommand.Create(),
        .. AuthSetup.Commands(),
        .. MaintenanceSetup.Commands(),
    ];

    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("ServerlessRegistry: an OCI distribution registry on Azure Blob and Table storage.");
        foreach (var command in Commands())
        {
            root.Subcommands.Add(command);
        }

        // No command means serve, with every argument passed through as configuration.
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "--version"))
        {
            args = ["serve", .. args];
        }

        return root.Parse(args).InvokeAsync();
    }
}
