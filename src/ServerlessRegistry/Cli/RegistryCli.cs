using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Events;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Policies;

namespace ServerlessRegistry.Cli;

/// <summary>
/// The program's command line. With no command (as the Functions host starts it) or with <c>serve</c> it runs
/// the registry; the other commands cover operations that have no HTTP endpoint. Each command lives in its own
/// file and is listed once in <see cref="Commands"/>.
/// </summary>
/// <remarks>
/// Exit codes: 0 success, 1 an operation failed (one line on stderr says why), 2 the command line is wrong.
/// </remarks>
internal static class RegistryCli
{
    private static IEnumerable<Command> Commands() =>
    [
        ServeCommand.Create(),
        .. AuthSetup.Commands(),
        .. MaintenanceSetup.Commands(),
        .. MirrorSetup.Commands(),
        .. PolicySetup.Commands(),
        .. EventsSetup.Commands(),
        ApplyCommand.Create(),
        OpenApiCommand.Create(),
    ];

    /// <summary>The command as typed, without the program's name ("token create"), for error lines.</summary>
    public static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        return names.Count == 0 ? parse.RootCommandResult.Command.Name : string.Join(' ', names);
    }

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <param name="environment">Where --registry reads its credentials (the process environment when null).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null)
    {
        AdminCli.Environment.Value = environment;
        var root = new RootCommand("ServerlessRegistry: an OCI distribution registry on Azure Blob and Table storage.");
        foreach (var command in Commands())
        {
            root.Subcommands.Add(command);
        }

        foreach (var option in AdminCli.GlobalOptions())
        {
            root.Options.Add(option);
        }

        // No command means serve, with every argument passed through as configuration.
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "-h" or "--version"))
        {
            args = ["serve", .. args];
        }

        var parse = root.Parse(args);
        var name = CommandPath(parse);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            // A missing argument or a malformed value: one line, as for every other mistake, not the whole help page.
            await error.WriteLineAsync($"{name}: {parse.Errors[0].Message} See '{name} --help'.");
            return 2;
        }

        if (ConfigurationArguments.FirstInvalid(parse.UnmatchedTokens) is { } invalid)
        {
            await error.WriteLineAsync($"{name}: unknown option or argument '{invalid}'. Configuration overrides look like --Section:Key=value; see '{name} --help'.");
            return 2;
        }

        if (parse.Action is HelpAction)
        {
            using var help = new StringWriter();
            await parse.InvokeAsync(new InvocationConfiguration { Output = help });
            await output.WriteAsync(ConfigurationArguments.RewriteHelp(help.ToString()));
            return 0;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (OperatorErrors.Describe(e) is { } line)
        {
            await error.WriteLineAsync($"{name}: {line}");
            return 1;
        }
    }
}
