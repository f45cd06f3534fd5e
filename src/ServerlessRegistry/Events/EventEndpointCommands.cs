using System.CommandLine;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Events;

/// <summary>
/// <c>events endpoints</c> lists every event destination (settings and stored); <c>events endpoint set NAME --url …</c>
/// creates or replaces a stored webhook, <c>events endpoint remove NAME</c> removes one. Same channel rules as the
/// other events commands.
/// </summary>
internal static partial class EventsCommands
{
    /// <summary>One line per destination: name, source, where, filters.</summary>
    internal static string Describe(EventEndpointView view)
    {
        var actions = view.Actions.Count == 0 ? "default" : string.Join(",", view.Actions);
        var repositories = view.Repositories.Count == 0 ? "all" : string.Join(",", view.Repositories);
        var secret = view.SecretSetting is null ? "" : view.Source == EventEndpointSource.Stored ? $"  secret from setting {view.SecretSetting}" : "  signed";
        var shadowed = view.Shadowed == true ? "  shadowed by the webhook in settings (not in effect)" : "";
        return $"{view.Destination}  {view.Source.ToString().ToLowerInvariant()}  {view.Url}  actions: {actions}  repositories: {repositories}{secret}{shadowed}";
    }

    private static Command EndpointsCommand()
    {
        var command = new Command("endpoints", "List event destinations: webhooks (settings and stored), Event Grid and replication rules; never secrets.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var items = await channel.ListAllAsync<EventEndpointView>(new AdminCall("listEventEndpoints"), ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, items);
                return 0;
            }

            if (items.Count == 0)
            {
                return await WriteAsync(parse, "No event destinations: events are not queued.");
            }

            foreach (var item in items)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(Describe(item));
            }

            return 0;
        }));
        return command;
    }

    private static Command EndpointCommand()
    {
        var command = new Command("endpoint", "Create, replace or remove a stored webhook (in effect on every instance within 60 s).");
        var name = new Argument<string>("name") { Description = "The webhook's name; its destination is webhook:{name}." };
        var url = new Option<string>("--url") { Description = "Where to POST events (https; http only to a loopback host).", Required = true };
        var secret = new Option<string?>("--secret-setting") { Description = "The NAME of the setting holding the HMAC secret, Events:Secrets:<name> (never the secret)." };
        var actions = new Option<string[]>("--action") { Description = "An action to send (push, pull, mount, delete, fill); repeat; none: all." };
        var repositories = new Option<string[]>("--repository") { Description = "A repository pattern; repeat; none: every repository." };
        var headers = new Option<string[]>("--header-setting") { Description = "Header=Events:Secrets:<name>: a header sent with the value of that setting; repeat." };
        var set = new Command("set", "Create or replace a stored webhook.") { TreatUnmatchedTokensAsErrors = false };
        set.Arguments.Add(name);
        set.Options.Add(url);
        set.Options.Add(secret);
        set.Options.Add(actions);
        set.Options.Add(repositories);
        set.Options.Add(headers);
        set.SetAction(async (parse, ct) =>
        {
            var pairs = (parse.GetValue(headers) ?? []).Select(h => h.Split('=', 2)).ToList();
            if (pairs.FirstOrDefault(p => p.Length != 2 || p[0].Length == 0) is { } bad)
            {
                return await FailAsync(parse, CommandLineError, $"--header-setting '{string.Join('=', bad)}' must be Header=SettingName.");
            }

            // Header names are case-insensitive: two for one header would make the request ambiguous.
            if (pairs.GroupBy(p => p[0], StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                return await FailAsync(parse, CommandLineError, $"--header-setting names the header '{twice.Key}' more than once; give each header one setting.");
            }

            var spec = new EventEndpointSpec
            {
                Url = parse.GetValue(url)!,
                SecretSetting = parse.GetValue(secret),
                Actions = [.. parse.GetValue(actions) ?? []],
                Repositories = [.. parse.GetValue(repositories) ?? []],
                HeaderSettings = pairs.ToDictionary(p => p[0], p => p[1]),
            };
            return await AdminCli.RunAsync(parse, async channel =>
            {
                var call = new AdminCall("putEventEndpoint") { Route = new Dictionary<string, string> { ["name"] = parse.GetValue(name)! }, Body = spec };
                var reply = await channel.SucceedAsync(call, ct);
                var view = reply.Read<EventEndpointView>();
                if (AdminCli.Json(parse))
                {
                    await AdminCli.WriteJsonAsync(parse, view);
                    return 0;
                }

                return await WriteAsync(parse, $"{(reply.Status == 201 ? "Created" : "Replaced")} {Describe(view)}");
            });
        });

        var removeName = new Argument<string>("name") { Description = "The stored webhook's name." };
        var remove = new Command("remove", "Remove a stored webhook; events already queued for it are dead-lettered.") { TreatUnmatchedTokensAsErrors = false };
        remove.Arguments.Add(removeName);
        remove.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var webhook = parse.GetValue(removeName)!;
            await channel.SucceedAsync(new AdminCall("deleteEventEndpoint") { Route = new Dictionary<string, string> { ["name"] = webhook } }, ct);
            return await WriteAsync(parse, $"Removed the stored webhook {webhook}.");
        }));

        command.Subcommands.Add(set);
        command.Subcommands.Add(remove);
        return command;
    }
}
