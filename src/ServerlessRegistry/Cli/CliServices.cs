using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Cli;

/// <summary>
/// The registry's services for a command that does not serve: the same configuration and storage as the server,
/// without starting Kestrel.
/// </summary>
internal static class CliServices
{
    public static async Task<T> WithAsync<T>(string[] configuration, Func<IServiceProvider, Task<T>> action)
    {
        await using var app = RegistryApp.Build(configuration);
        return await action(app.Services);
    }
}
