using System.CommandLine;
using Microsoft.Extensions.Configuration.Memory;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Cli;

/// <summary>
/// The registry's services for a command that does not serve: the same configuration and storage as the server,
/// without starting Kestrel. The command's unmatched tokens are its configuration overrides (--Section:Key=value).
/// </summary>
internal static class CliServices
{
    /// <remarks>
    /// Without Storage:AccountName the command uses the local emulator (<see cref="LocalEmulator"/>) for every Storage
    /// setting not given, and says so on stderr. Logging defaults to warnings, so the command's own output is the only summary.
    /// </remarks>
    public static async Task<T> WithAsync<T>(ParseResult parse, Func<IServiceProvider, Task<T>> action)
    {
        var usedEmulator = false;
        string? configuredBlobEndpoint = null;
        await using var app = RegistryApp.Build([.. parse.UnmatchedTokens], configuration =>
        {
            var defaults = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
            if (string.IsNullOrEmpty(configuration["Storage:AccountName"]))
            {
                usedEmulator = true;
                foreach (var (key, value) in LocalEmulator.Settings)
                {
                    defaults[key] = value;
                }
            }

            // First source, so every setting given in any other way wins.
            configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
            configuredBlobEndpoint = configuration["Storage:BlobEndpoint"];
        });
        if (usedEmulator)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(
                $"{RegistryCli.CommandPath(parse)}: no Storage:AccountName given; using the local emulator of scripts/run-local.sh ({configuredBlobEndpoint}).");
        }

        return await action(app.Services);
    }
}
