using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Cli;

/// <summary>
/// Turns the failures an operator can cause or fix (settings, credentials, an unreachable account) into one line
/// that says what to do. Anything else is a defect and keeps its stack trace.
/// </summary>
internal static class OperatorErrors
{
    private const string SettingsHint =
        "Give Storage__AccountName (with Storage__AccountKey for Shared Key) and, for an emulator, Storage__BlobEndpoint and Storage__TableEndpoint; " +
        "or give no Storage settings to use the local emulator of scripts/run-local.sh.";

    public static string? Describe(Exception exception) => exception switch
    {
        Admin.Cli.AdminCliException e => e.Message,
        Admin.Cli.AdminCallException { Code: "UNAUTHORIZED" or "DENIED" } e => $"{e.Message} ({Admin.Cli.RemoteCredentials.Hint}).",
        Admin.Cli.AdminCallException e => e.Message,
        StorageException { Status: 401 or 403 } e =>
            $"storage refused the credentials ({e.Status} {e.ErrorCode}): check Storage:AccountName and Storage:AccountKey, or the identity's data role on the account.",
        StorageException { Status: 0 } e =>
            $"storage is unreachable: {FirstLine(e.Message)} Is the account name right, or the emulator running (scripts/run-local.sh)?",
        StorageException e => $"storage failed ({e.Status} {e.ErrorCode}): {FirstLine(e.Message)}",
        _ when Network(exception) is { } e => $"storage is unreachable: {FirstLine(e.Message)}. Is the account name right, or the emulator running (scripts/run-local.sh)?",
        OptionsValidationException e => FirstLine(e.Message),
        InvalidOperationException e when e.Message.StartsWith("Storage:", StringComparison.Ordinal) => $"{FirstLine(e.Message)} {SettingsHint}",
        InvalidOperationException e when e.InnerException is FormatException => $"{FirstLine(e.Message)} ({FirstLine(e.InnerException.Message)})",
        InvalidOperationException e when e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) => FirstLine(e.Message),
        FormatException e => FirstLine(e.Message),
        ArgumentException e when e.Message.StartsWith("Maintenance:", StringComparison.Ordinal) || e.Message.StartsWith("Storage:", StringComparison.Ordinal) => FirstLine(e.Message),
        _ => null,
    };

    /// <summary>A connection failure anywhere in the chain, as a storage client's retries report it.</summary>
    private static HttpRequestException? Network(Exception? exception) => exception switch
    {
        null => null,
        HttpRequestException e => e,
        AggregateException e => e.InnerExceptions.Select(Network).FirstOrDefault(n => n is not null),
        _ => Network(exception.InnerException),
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).Trim();
    }
}
