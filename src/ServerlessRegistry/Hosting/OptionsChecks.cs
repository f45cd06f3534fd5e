using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// Binds every configuration section to its options type and checks it when the host starts (Kestrel and the Functions
/// worker alike), so a wrong setting stops the start with one line naming the key instead of failing requests later.
/// </summary>
/// <remarks>Commands that do not start the host (gc, usage, token) meet the same checks when they first read the options.</remarks>
internal static class OptionsChecks
{
    public static IServiceCollection AddCheckedOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>().Bind(configuration.GetSection("Registry")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistryOptions>, RegistryOptionsCheck>();
        services.AddOptions<StorageSettings>().Bind(configuration.GetSection("Storage")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageSettings>, StorageSettingsCheck>();
        services.AddOptions<MaintenanceOptions>().Bind(configuration.GetSection("Maintenance")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsCheck>();
        services.AddOptions<PublicUrlOptions>().Configure(options =>
        {
            PublicUrlSetting.TryResolve(configuration, out var url, out var error);
            (options.Url, options.Error) = (url, error);
        }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PublicUrlOptions>, PublicUrlCheck>();
        return services;
    }

    private static string? MaintenanceProblem(MaintenanceOptions options)
    {
        try
        {
            options.Validate();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static ValidateOptionsResult Result(string? problem) =>
        problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);

    private sealed class RegistryOptionsCheck : IValidateOptions<RegistryOptions>
    {
        public ValidateOptionsResult Validate(string? name, RegistryOptions options) => Result(
            options.BlockSize < 1024 ? "Registry:BlockSize must be at least 1024 bytes."
            : options.BlocksInFlight < 1 ? "Registry:BlocksInFlight must be at least 1."
            : options.MaxManifestBytes < 4 * 1024 * 1024 ? "Registry:MaxManifestBytes must be at least 4 MiB (the spec's floor)."
            : options.MaxOpenUploadsPerCaller < 1 ? "Registry:MaxOpenUploadsPerCaller must be at least 1."
            : options.RedirectLifetime <= TimeSpan.Zero ? "Registry:RedirectLifetime must be positive."
            : null);
    }

    private sealed class StorageSettingsCheck : IValidateOptions<StorageSettings>
    {
        public ValidateOptionsResult Validate(string? name, StorageSettings settings) => Result(StorageProblem(settings));
    }

    private sealed class MaintenanceOptionsCheck : IValidateOptions<MaintenanceOptions>
    {
        public ValidateOptionsResult Validate(string? name, MaintenanceOptions options) => Result(MaintenanceProblem(options));
    }

    private sealed class PublicUrlCheck : IValidateOptions<PublicUrlOptions>
    {
        public ValidateOptionsResult Validate(string? name, PublicUrlOptions options) => Result(options.Error);
    }

    /// <summary>
    /// Why the Storage section cannot be used, or null. The one rule for every command: the server refuses to start
    /// on it; a command line that supplies defaults (the local emulator) applies them before this check.
    /// </summary>
    public static string? StorageProblem(StorageSettings settings) =>
        !string.Equals(settings.Backend, "azure", StringComparison.OrdinalIgnoreCase)
            ? $"Storage:Backend '{settings.Backend}' is unknown; the only backend is 'azure' (Azure Storage or Azurite)."
            : string.IsNullOrEmpty(settings.AccountName)
                ? "Storage:AccountName is required (Storage__AccountName; for the local emulator also Storage__AccountKey, Storage__BlobEndpoint and Storage__TableEndpoint, as scripts/run-local.sh sets them)."
                : null;
}
