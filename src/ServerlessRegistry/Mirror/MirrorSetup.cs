using System.CommandLine;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Api;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// The mirror's one seam into the program: its options ("Mirror" section, checked at start), its services, its request
/// hook (<see cref="IRegistryFeature"/>) and its commands. With no rules configured or stored the hook maps and answers nothing.
/// </summary>
internal static class MirrorSetup
{
    public static IServiceCollection AddMirror(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MirrorOptions>().Bind(configuration.GetSection("Mirror")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MirrorOptions>, MirrorOptionsCheck>();
        services.AddSingleton(sp => CacheRules.Parse(sp.GetRequiredService<IOptions<MirrorOptions>>().Value.Rules));
        services.AddSingleton<CacheRuleStore>();
        services.AddSingleton<CacheRuleSet>();
        services.AddSingleton<MirrorManifests>();
        services.AddSingleton<MirrorBlobs>();
        services.AddSingleton<MirrorFeature>();
        services.AddSingleton<IGarbageCollectionStep, MirrorEviction>();
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<IUpstreamRegistry>(sp => sp.GetRequiredService<UpstreamClient>());
        services.AddSingleton<IRegistryFeature>(sp => sp.GetRequiredService<MirrorFeature>());
        services.AddSingleton<FillJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<FillJobs>());
        services.AddSingleton<FillClaims>();
        services.AddSingleton<LocationFill>();
        services.AddSingleton<StreamThrough>();
        services.AddSingleton<BlobFiller>();
        services.AddSingleton<MirrorPrefetch>();
        return services;
    }

    public static IEnumerable<Command> Commands() => [MirrorCommands.Create()];

    private sealed class MirrorOptionsCheck : IValidateOptions<MirrorOptions>
    {
        public ValidateOptionsResult Validate(string? name, MirrorOptions options)
        {
            try
            {
                var rules = CacheRules.Parse(options.Rules);
                if (options.EvictUnpulledAfter < TimeSpan.Zero)
                {
                    return ValidateOptionsResult.Fail("Mirror:EvictUnpulledAfter must not be negative (0 keeps cached content for ever).");
                }

                if (options.RuleRefreshInterval < TimeSpan.Zero || options.RuleRefreshInterval > TimeSpan.FromHours(1))
                {
                    return ValidateOptionsResult.Fail("Mirror:RuleRefreshInterval must be from 0 to 1 hour (like 00:01:00).");
                }

                for (var i = 0; i < options.Prefetch.Count; i++)
                {
                    var entry = options.Prefetch[i];
                    if (rules.Match(entry.Repository) is null)
                    {
                        // Checked at start, without storage: pre-fetch entries are under settings rules.
                        return ValidateOptionsResult.Fail($"Mirror:Prefetch:{i}:Repository '{entry.Repository}' is not under any Mirror:Rules entry.");
                    }

                    if (entry.Tags.Count == 0 || entry.Tags.Any(string.IsNullOrWhiteSpace))
                    {
                        return ValidateOptionsResult.Fail($"Mirror:Prefetch:{i}:Tags must list at least one tag or pattern (like 3.* or latest).");
                    }
                }

                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
