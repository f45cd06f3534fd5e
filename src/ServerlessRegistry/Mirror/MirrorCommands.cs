using System.CommandLine;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// <c>mirror …</c>: the pull-through cache's operator commands. Extra arguments are configuration, as for serve
/// (e.g. --Mirror:Rules:0:Local=docker.io/* --Mirror:Rules:0:Upstream=https://registry-1.docker.io/*).
/// </summary>
internal static class MirrorCommands
{
    public static Command Create()
    {
        var mirror = new Command("mirror", "Pull-through cache of upstream registries (Mirror:Rules).");
        mirror.Subcommands.Add(RulesCommand());
        mirror.Subcommands.Add(PrefetchCommand());
        return mirror;
    }

    /// <summary>
    /// <c>mirror rules</c>: one line per configured rule (never its password) with the result of checking its upstream.
    /// Exit 0 when every upstream is reachable and takes the rule's credentials (or anonymous access), else 1.
    /// </summary>
    private static Command RulesCommand()
    {
        var command = new Command("rules", "List the cache rules and check that each upstream answers and accepts its credentials.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            return await CliServices.WithAsync(parse, async services =>
            {
                var rules = services.GetRequiredService<CacheRules>().All.OrderBy(r => r.Local, StringComparer.Ordinal).ToList();
                if (rules.Count == 0)
                {
                    await output.WriteLineAsync("No cache rules configured (Mirror:Rules:N:Local and Mirror:Rules:N:Upstream).");
                    return 0;
                }

                // Checked side by side: each waits at most its rule's Timeout, and an unreachable upstream should not delay the rest.
                var upstream = services.GetRequiredService<IUpstreamRegistry>();
                var checks = await Task.WhenAll(rules.Select(rule => upstream.CheckAsync(rule, ct)));
                for (var i = 0; i < rules.Count; i++)
                {
                    await output.WriteLineAsync(Line(rules[i], checks[i]));
                }

                return checks.All(Ok) ? 0 : 1;
            });
        });
        return command;
    }

    /// <summary>
    /// <c>mirror prefetch</c>: one pre-fetch run of Mirror:Prefetch, as the timer runs it. Progress lines go to stderr,
    /// the summary to stdout. Exit 0 when every entry was warmed, else 1.
    /// </summary>
    private static Command PrefetchCommand()
    {
        var command = new Command("prefetch", "Fetch the images listed in Mirror:Prefetch (every platform) into the cache now.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return await CliServices.WithAsync(parse, async services =>
            {
                var report = await services.GetRequiredService<MirrorPrefetch>().RunAsync(new LineProgress(error), ct);
                await output.WriteLineAsync(report.Summary());
                return report.Failures.Count == 0 ? 0 : 1;
            });
        });
        return command;
    }

    /// <summary>Writes each progress line as it comes (they are few: one per image).</summary>
    private sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine("mirror prefetch: " + value);
    }

    /// <summary><c>docker.io/* -> https://registry-1.docker.io/* (with credentials): ok: reachable, anonymous access</c>.</summary>
    internal static string Line(CacheRule rule, UpstreamCheck check) =>
        $"{rule}{(rule.HasCredentials ? " (with credentials)" : "")}: {(Ok(check) ? "ok" : "FAILED")}: {check.Detail}";

    private static bool Ok(UpstreamCheck check) => check.Reachable && check.Authenticated;
}
