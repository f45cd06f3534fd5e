using System.CommandLine;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// <c>mirror …</c>: the pull-through cache's operator commands. Without --registry, extra arguments are configuration, as for serve
/// (e.g. --Mirror:Rules:0:Local=docker.io/* --Mirror:Rules:0:Upstream=https://registry-1.docker.io/*).
/// </summary>
internal static class MirrorCommands
{
    public static Command Create()
    {
        var mirror = new Command("mirror", "Pull-through cache of upstream registries (Mirror:Rules).");
        mirror.Subcommands.Add(RulesCommand());
        mirror.Subcommands.Add(MirrorRuleCommands.Create());
        mirror.Subcommands.Add(PrefetchCommand());
        return mirror;
    }

    /// <summary>
    /// <c>mirror rules</c>: one line per rule, from settings and stored (never a password), with the result of checking its
    /// upstream; through the admin API with --registry, else against storage. Exit 0 when every upstream is reachable and
    /// takes the rule's credentials (or anonymous access), else 1.
    /// </summary>
    private static Command RulesCommand()
    {
        var command = new Command("rules", "List the cache rules (settings and stored) and check that each upstream answers and accepts its credentials.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var call = new AdminCall("listCacheRules") { Query = new Dictionary<string, string?> { ["check"] = "true" } };
            var rules = (await channel.ListAllAsync<CacheRuleView>(call, ct))
                .OrderBy(r => r.Local.EndsWith("/*", StringComparison.Ordinal) ? r.Local[..^2] : r.Local, StringComparer.Ordinal)
                .ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
            var ok = rules.All(r => r.Check?.Ok == true);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, rules);
                return ok ? 0 : 1;
            }

            var output = parse.InvocationConfiguration.Output;
            if (rules.Count == 0)
            {
                await output.WriteLineAsync("No cache rules configured (Mirror:Rules:N:Local and Mirror:Rules:N:Upstream) or stored (mirror rule set).");
                return 0;
            }

            foreach (var rule in rules)
            {
                await output.WriteLineAsync(Line(rule));
            }

            return ok ? 0 : 1;
        }));
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

    /// <summary>
    /// <c>docker.io/* -> https://registry-1.docker.io/* (with credentials): ok: reachable, anonymous access</c>; a stored
    /// rule's line names it: <c>gh/* -> https://ghcr.io/* (stored as gh): ok: …</c>.
    /// </summary>
    internal static string Line(CacheRuleView rule)
    {
        var stored = rule.Source != CacheRuleSource.Stored ? ""
            : rule.Shadowed == true ? $" (stored as {rule.Name}; not in effect: another rule serves its local name)" : $" (stored as {rule.Name})";
        var check = rule.Check is { } c ? $": {(c.Ok ? "ok" : "FAILED")}: {c.Detail}" : "";
        return $"{rule.Local} -> {rule.Upstream}{(rule.Username is not null ? " (with credentials)" : "")}{stored}{check}";
    }
}
