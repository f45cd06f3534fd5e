using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Admin;

/// <summary>The admin API's one seam into the program: its services and its front end (/api/admin/v1), asked before the web interface's.</summary>
internal static class AdminSetup
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminAccess>();
        services.AddSingleton<AdminFrontEnd>();
        services.AddSingleton<IRegistryFrontEnd>(sp => sp.GetRequiredService<AdminFrontEnd>());
        return services;
    }
}
