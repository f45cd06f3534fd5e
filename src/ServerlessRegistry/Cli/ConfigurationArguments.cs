using System.Text.RegularExpressions;

namespace ServerlessRegistry.Cli;

/// <summary>
/// The arguments a command does not declare are configuration overrides, <c>--Section:Key=value</c> or
/// <c>--Section:Key value</c>, read like the Storage__* and other environment settings. Anything else is a mistake.
/// </summary>
internal static partial class ConfigurationArguments
{
    public const string HelpText =
        """
        Configuration:
          Every setting can be given as an environment variable (Storage__AccountName=myaccount) or after the command
          as an override (--Storage:AccountName=myaccount); overrides win.
            Storage__AccountName      the storage account (required for Azure)
            Storage__AccountKey       Shared Key for an emulator; leave unset in Azure (managed identity is used)
            Storage__BlobEndpoint     default https://<account>.blob.core.windows.net
            Storage__TableEndpoint    default https://<account>.table.core.windows.net
            Storage__QueueEndpoint    default https://<account>.queue.core.windows.net (events)
            Storage__Prefix           names the container, and prefixes the tables and queues (default registry)
          Without Storage__AccountName, commands other than serve use the local emulator of scripts/run-local.sh.
          The README lists every setting.
        """;

    [GeneratedRegex(@"^--[A-Za-z][A-Za-z0-9_.-]*(:[A-Za-z0-9_.-]+)+(=.*)?$")]
    private static partial Regex Override();

    /// <summary>The first unmatched token that is not a configuration override (or its value), or null.</summary>
    public static string? FirstInvalid(IReadOnlyList<string> unmatched)
    {
        for (var i = 0; i < unmatched.Count; i++)
        {
            var token = unmatched[i];
            if (!Override().IsMatch(token))
            {
                return token;
            }

            // "--Section:Key value": the next token is the value.
            if (!token.Contains('=', StringComparison.Ordinal) && i + 1 < unmatched.Count && !unmatched[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                i++;
            }
        }

        return null;
    }

    /// <summary>Replaces the parser's generic text about additional arguments with what they are here.</summary>
    public static string RewriteHelp(string help) => help
        .Replace("[[--] <additional arguments>...]]", "[--Section:Key=value...]", StringComparison.Ordinal)
        .Replace("Additional Arguments:\n  Arguments passed to the application that is being run.", HelpText.TrimEnd(), StringComparison.Ordinal)
        .Replace("Additional Arguments:\r\n  Arguments passed to the application that is being run.", HelpText.TrimEnd(), StringComparison.Ordinal);
}
