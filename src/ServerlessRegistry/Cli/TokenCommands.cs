using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Cli;

/// <summary>
/// <c>token create|list|revoke</c>: repository-scoped access tokens for collaborators outside the tenant. They run
/// against the configured storage (extra arguments are configuration, as for serve) and need no running server.
/// </summary>
internal static class TokenCommands
{
    public static Command Create()
    {
        var token = new Command("token", "Manage repository-scoped access tokens (docker login username and password).");
        token.Subcommands.Add(CreateCommand());
        token.Subcommands.Add(ListCommand());
        token.Subcommands.Add(RevokeCommand());
        return token;
    }

    private static Command CreateCommand()
    {
        var name = new Option<string>("--name") { Description = "Token name; the docker login username.", Required = true };
        var repositories = new Option<string[]>("--repository")
        {
            Description = "Repository name, prefix ending in '*' (team/*), or '*'. Repeat or separate with commas.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var actions = new Option<string>("--actions") { Description = "pull[,push][,delete]; push and delete include pull.", DefaultValueFactory = _ => "pull" };
        var expires = new Option<string>("--expires") { Description = "Lifetime: 30d, 12h, 90m or d.hh:mm:ss.", DefaultValueFactory = _ => "30d" };
        var command = new Command("create", "Create an access token and print its secret (shown only once).") { name, repositories, actions, expires };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var patterns = parse.GetRequiredValue(repositories).SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var granted = RegistryScope.ParseActions(parse.GetRequiredValue(actions));
            if (granted == RegistryActions.None || !TryParseLifetime(parse.GetRequiredValue(expires), out var lifetime) || patterns.Length == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("token create: --actions must list pull, push or delete, and --expires look like 30d, 12h or 90m.");
                return 2;
            }

            return await CliServices.WithAsync(parse, async services =>
            {
                var store = services.GetRequiredService<AccessTokenStore>();
                var tokenName = parse.GetRequiredValue(name);
                try
                {
                    var time = services.GetRequiredService<TimeProvider>();
                    var (info, secret) = await store.CreateAsync(tokenName, patterns, granted, time.GetUtcNow() + lifetime, ct);
                    await output.WriteLineAsync($"Created access token '{info.Name}': {RegistryScope.FormatActions(info.Actions)} on {string.Join(", ", info.Repositories)}, expires {Format(info.ExpiresAt)}.");
                    await output.WriteLineAsync($"Username: {info.Name}");
                    await output.WriteLineAsync($"Password: {secret}");
                    await output.WriteLineAsync("The password is shown only now. Sign in with:");
                    await output.WriteLineAsync($"  docker login <registry host> --username {info.Name} --password-stdin   (or podman login)");
                    return 0;
                }
                catch (ArgumentException e)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync("token create: " + e.Message);
                    return 2;
                }
                catch (ConcurrencyException)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"token create: a token named '{tokenName}' exists; revoke it first or pick another name.");
                    return 1;
                }
            });
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List access tokens (never their secrets).") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (parse, ct) => await CliServices.WithAsync(parse, async services =>
        {
            var output = parse.InvocationConfiguration.Output;
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            await output.WriteLineAsync("NAME\tACTIONS\tREPOSITORIES\tEXPIRES\tSTATUS");
            foreach (var info in await services.GetRequiredService<AccessTokenStore>().ListAsync(ct))
            {
                await output.WriteLineAsync($"{info.Name}\t{RegistryScope.FormatActions(info.Actions)}\t{string.Join(",", info.Repositories)}\t{Format(info.ExpiresAt)}\t{(info.ExpiresAt > now ? "active" : "expired")}");
            }

            return 0;
        }));
        return command;
    }

    private static Command RevokeCommand()
    {
        var name = new Option<string>("--name") { Description = "The token to revoke.", Required = true };
        var command = new Command("revoke", "Revoke an access token: sign-in stops at once, issued bearer tokens within Auth:RevocationCheckInterval.") { name };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) => await CliServices.WithAsync(parse, async services =>
        {
            var tokenName = parse.GetRequiredValue(name);
            var revoked = await services.GetRequiredService<AccessTokenStore>().RevokeAsync(tokenName, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(revoked ? $"Revoked access token '{tokenName}'." : $"No access token named '{tokenName}'.");
            return revoked ? 0 : 1;
        }));
        return command;
    }

    internal static bool TryParseLifetime(string text, out TimeSpan lifetime) =>
        Durations.TryParse(text, out lifetime) && lifetime > TimeSpan.Zero;

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
