using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace ServerlessRegistry.Admin.Cli;

/// <summary>
/// The credentials <c>--registry</c> sends, from the environment, first found wins:
/// <list type="number">
/// <item><c>REGISTRY_ADMIN_TOKEN</c>: an access token with the admin action, as <c>name:secret</c> (Basic).</item>
/// <item><c>REGISTRY_ENTRA_TOKEN</c>: an Entra ID access token for the registry's API app (Bearer).</item>
/// <item><c>REGISTRY_ENTRA_RESOURCE</c>: the API app's ID URI or client id; the token comes from
/// <c>az account get-access-token</c>, as scripts/login.sh gets it (the operator's az login).</item>
/// </list>
/// </summary>
internal static class RemoteCredentials
{
    public const string AdminToken = "REGISTRY_ADMIN_TOKEN";
    public const string EntraToken = "REGISTRY_ENTRA_TOKEN";
    public const string EntraResource = "REGISTRY_ENTRA_RESOURCE";

    public const string Hint =
        $"set {AdminToken}=name:secret (an access token created with --actions admin), or {EntraResource}=<API app ID URI> to use your az login (an identity holding Registry.Admin)";

    public static async Task<AuthenticationHeaderValue> ResolveAsync(Func<string, string?> environment, CancellationToken ct)
    {
        if (environment(AdminToken) is { Length: > 0 } token)
        {
            if (!token.Contains(':', StringComparison.Ordinal))
            {
                throw new AdminCliException($"{AdminToken} must be name:secret, the access token's name and its secret.");
            }

            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(token)));
        }

        if (environment(EntraToken) is { Length: > 0 } entra)
        {
            return new AuthenticationHeaderValue("Bearer", entra.Trim());
        }

        if (environment(EntraResource) is { Length: > 0 } resource)
        {
            return new AuthenticationHeaderValue("Bearer", await FromAzureCliAsync(resource, environment, ct));
        }

        throw new AdminCliException("--registry needs credentials: " + Hint + ".");
    }

    /// <summary>Runs <c>az account get-access-token</c>, found on the PATH the environment gives.</summary>
    private static async Task<string> FromAzureCliAsync(string resource, Func<string, string?> environment, CancellationToken ct)
    {
        var az = (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "az.cmd" : "az"))
            .FirstOrDefault(File.Exists)
            ?? throw new AdminCliException($"{EntraResource} is set but the az CLI is not on PATH (https://aka.ms/azcli); or set {AdminToken} instead.");
        var start = new ProcessStartInfo(az) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "account", "get-access-token", "--resource", resource, "--query", "accessToken", "--output", "tsv" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var token = (await output).Trim();
        if (process.ExitCode != 0 || token.Length == 0)
        {
            var reason = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {process.ExitCode}";
            throw new AdminCliException($"az account get-access-token --resource {resource} failed ({reason}); run az login, or set {AdminToken} instead.");
        }

        return token;
    }
}
