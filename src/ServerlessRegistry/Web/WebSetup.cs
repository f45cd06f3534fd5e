using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Web.Session;

namespace ServerlessRegistry.Web;

/// <summary>The web interface's one seam into the program: its options ("Web" section), its services and its front end.</summary>
internal static class WebSetup
{
    public static IServiceCollection AddWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RepositoryListing>();
        services.AddSingleton<WebSession>();
        services.AddSingleton(WebOptions.From(configuration));
        services.AddWebSession(configuration);
        services.AddSingleton<WebFrontEnd>();
        services.AddSingleton<IRegistryFrontEnd>(sp => sp.GetRequiredService<WebFrontEnd>());
        return services;
    }
}
