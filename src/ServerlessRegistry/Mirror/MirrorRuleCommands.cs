using System.CommandLine;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// <c>mirror rule set|remove</c>: stored cache rules, through the admin API with --registry or against storage without it.
/// Settings rules (Mirror:Rules) are changed in settings, not here.
/// </summary>
internal static class MirrorRuleCommands
{
    public static Command Create()
    {
        var rule = new Command("rule", "Store or remove a cache rule (in effect on every instance within Mirror:RuleRefreshInterval, 60 s by default).");
        rule.Subcommands.Add(SetCommand());
        rule.Subcommands.Add(RemoveCommand());
        return rule;
    }

    /// <summary><c>mirror rule set NAME --local … --upstream … [...]</c>: creates or replaces the stored rule; safe to repeat.</summary>
    private static Command SetCommand()
    {
        var name = new Argument<string>("name") { Description = "The rule's name: lowercase letters, digits, '.', '_' or '-'." };
        var local = new Option<string>("--local") { Description = "The local repository (hub/nginx) or prefix (docker.io/*).", Required = true };
        var upstream = new Option<string>("--upstream") { Description = "The upstream: https://registry-1.docker.io/*, ghcr.io/*, docker.io/library/nginx.", Required = true };
        var ns = new Option<string?>("--namespace") { Description = "What containerd sends as ?ns= (default: the upstream's host)." };
        var username = new Option<string?>("--username") { Description = "Upstream user name (with --password-setting)." };
        var passwordSetting = new Option<string?>("--password-setting") { Description = "The setting that holds the upstream password: Mirror:Secrets:<name> (app setting Mirror__Secrets__<name>, a Key Vault reference in Azure); never the password." };
        var tagCheck = new Option<string?>("--tag-check-interval") { Description = "How long a pulled tag is served without asking the upstream (default 5m)." };
        var timeout = new Option<string?>("--timeout") { Description = "How long the upstream may take to answer (default 10s)." };
        var command = new Command("set", "Create or replace a stored cache rule.") { name, local, upstream, ns, username, passwordSetting, tagCheck, timeout };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var spec = new CacheRuleSpec
            {
                Local = parse.GetRequiredValue(local), Upstream = parse.GetRequiredValue(upstream), Namespace = parse.GetValue(ns),
                Username = parse.GetValue(username), PasswordSetting = parse.GetValue(passwordSetting),
                TagCheckInterval = parse.GetValue(tagCheck), Timeout = parse.GetValue(timeout),
            };
            var call = new AdminCall("putCacheRule") { Route = new Dictionary<string, string> { ["name"] = parse.GetRequiredValue(name) }, Body = spec };
            var reply = await channel.SucceedAsync(call, ct);
            var view = reply.Read<CacheRuleView>();
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, view);
                return 0;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{(reply.Status == 201 ? "Created" : "Replaced")} cache rule {view.Name}: {MirrorCommands.Line(view)}");
            return 0;
        }));
        return command;
    }

    /// <summary><c>mirror rule remove NAME</c>: removes the stored rule; what it cached stays until evicted.</summary>
    private static Command RemoveCommand()
    {
        var name = new Argument<string>("name") { Description = "The stored rule's name." };
        var command = new Command("remove", "Remove a stored cache rule; what it cached stays until evicted.") { name };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var rule = parse.GetRequiredValue(name);
            await channel.SucceedAsync(new AdminCall("deleteCacheRule") { Route = new Dictionary<string, string> { ["name"] = rule } }, ct);
            if (!AdminCli.Json(parse))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"Removed cache rule {rule}.");
            }

            return 0;
        }));
        return command;
    }
}
