using System.CommandLine;
using System.Text.Json;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Admin.Cli;

/// <summary>
/// How an administration command reaches the registry: with <c>--registry https://…</c> through the admin API, else
/// through the same handlers against the configured storage (as before the admin API existed). <c>--output json</c>
/// prints what the API answered instead of the human-readable text.
/// </summary>
internal static class AdminCli
{
    public const string RegistryOption = "--registry";
    public const string OutputOption = "--output";

    /// <summary>The environment the command reads credentials from; a test sets its own for the call it makes.</summary>
    public static readonly AsyncLocal<Func<string, string?>?> Environment = new();

    /// <summary>The options every command accepts (recursive on the root command); created per parse, never shared.</summary>
    public static IEnumerable<Option> GlobalOptions()
    {
        yield return new Option<string?>(RegistryOption)
        {
            Description = "Administer the registry at this address through its admin API (credentials: " + RemoteCredentials.Hint + "). Without it, commands use the configured storage.",
            Recursive = true,
        };
        var output = new Option<string>(OutputOption) { Description = "text (default) or json: what the admin API answered, for scripts.", DefaultValueFactory = _ => "text", Recursive = true };
        output.AcceptOnlyFromAmong("text", "json");
        yield return output;
    }

    public static bool Json(ParseResult parse) => Value<string>(parse, OutputOption) == "json";

    /// <summary>A global option's value, or default when the command was parsed without the global options (a test's own root).</summary>
    private static T? Value<T>(ParseResult parse, string name)
    {
        for (var command = parse.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (command.Command.Options.Any(o => o.Name == name))
            {
                return parse.GetValue<T>(name);
            }
        }

        return default;
    }

    /// <summary>Runs <paramref name="action"/> with the channel the command line asks for; failures become one line (see <see cref="OperatorErrors"/>).</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<IAdminChannel, Task<int>> action)
    {
        if (Value<string?>(parse, RegistryOption) is { Length: > 0 } registry)
        {
            if (parse.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal)) is { } setting)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"{RegistryCli.CommandPath(parse)}: '{setting}' configures local storage and means nothing with {RegistryOption}; drop one of them.");
                return 2;
            }

            using var channel = await RemoteAdminChannel.CreateAsync(registry, Environment.Value ?? System.Environment.GetEnvironmentVariable, CancellationToken.None);
            return await action(channel);
        }

        return await CliServices.WithAsync(parse, services => action(new LocalAdminChannel(services)));
    }

    /// <summary>Prints a value as the admin API's JSON, indented, with a final newline.</summary>
    public static Task WriteJsonAsync(ParseResult parse, object value) =>
        parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(value, value.GetType(), AdminJson.Indented));
}
