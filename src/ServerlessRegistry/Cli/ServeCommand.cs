using System.CommandLine;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Cli;

/// <summary><c>serve</c>: runs the registry until stopped. Extra arguments are configuration (--Section:Key=value).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the registry (the default when no command is given).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) =>
        {
            var app = RegistryApp.Build([.. parse.UnmatchedTokens]);
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
