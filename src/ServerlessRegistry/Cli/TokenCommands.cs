using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Cli;

/// <summary>
/// <c>token create|list|revoke</c>: repository-scoped access tokens for collaborators outside the tenant, and admin
/// tokens for the admin API. Through the admin API with --registry, else against the configured storage (extra
/// arguments are configuration, as for serve) with no running server; the same text either way.
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
        var actions = new Option<string>("--actions")
        {
            Description = "pull[,push][,delete], or admin: push and delete include pull; admin is the admin API (--registry), registry-wide (--repository '*'), and includes the others.",
            DefaultValueFactory = _ => "pull",
        };
        var expires = new Option<string>("--expires") { Description = "Lifetime: 30d, 12h, 90m or d.hh:mm:ss.", DefaultValueFactory = _ => "30d" };
        var command = new Command("create", "Create an access token and print its secret (shown only once).") { name, repositories, actions, expires };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var patterns = parse.GetRequiredValue(repositories).SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var words = parse.GetRequiredValue(actions).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (RegistryScope.ParseActions(string.Join(',', words)) == RegistryActions.None || !TryParseLifetime(parse.GetRequiredValue(expires), out _) || patterns.Length == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("token create: --actions must list pull, push, delete or admin, and --expires look like 30d, 12h or 90m.");
                return 2;
            }

            return await AdminCli.RunAsync(parse, async channel =>
            {
                var tokenName = parse.GetRequiredValue(name);
                var body = new TokenCreate(tokenName, patterns, words, parse.GetRequiredValue(expires));
                var reply = await channel.SendAsync(new AdminCall("createToken") { Body = body }, ct);
                if (!reply.Succeeded && reply.Error() is (var code and ("INVALID" or "CONFLICT"), var message))
                {
                    // Today's exit codes: a bad argument is 2, a name in use is 1.
                    await parse.InvocationConfiguration.Error.WriteLineAsync("token create: " + message);
                    return code == "INVALID" ? 2 : 1;
                }

                var created = reply.Succeeded ? reply.Read<CreatedToken>() : throw new AdminCallException(reply);
                if (AdminCli.Json(parse))
                {
                    await AdminCli.WriteJsonAsync(parse, created);
                    return 0;
                }

                var info = created.Token;
                await output.WriteLineAsync($"Created access token '{info.Name}': {string.Join(',', info.Actions)} on {string.Join(", ", info.Repositories)}, expires {Format(info.ExpiresAt)}.");
                await output.WriteLineAsync($"Username: {info.Name}");
                await output.WriteLineAsync($"Password: {created.Secret}");
                await output.WriteLineAsync("The password is shown only now. Sign in with:");
                await output.WriteLineAsync($"  docker login <registry host> --username {info.Name} --password-stdin   (or podman login)");
                return 0;
            });
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List access tokens (never their secrets).") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var tokens = await channel.ListAllAsync<TokenView>(new AdminCall("listTokens"), ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, tokens);
                return 0;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync("NAME\tACTIONS\tREPOSITORIES\tEXPIRES\tSTATUS");
            foreach (var info in tokens)
            {
                await output.WriteLineAsync($"{info.Name}\t{string.Join(',', info.Actions)}\t{string.Join(",", info.Repositories)}\t{Format(info.ExpiresAt)}\t{(info.Status == TokenStatus.Active ? "active" : "expired")}");
            }

            return 0;
        }));
        return command;
    }

    private static Command RevokeCommand()
    {
        var name = new Option<string>("--name") { Description = "The token to revoke.", Required = true };
        var command = new Command("revoke", "Revoke an access token: sign-in stops at once, issued bearer tokens within Auth:RevocationCheckInterval. Exit 1 when there is none; --output json prints nothing.") { name };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var tokenName = parse.GetRequiredValue(name);
            var reply = await channel.SendAsync(new AdminCall("revokeToken") { Route = new Dictionary<string, string> { ["name"] = tokenName } }, ct);
            var revoked = reply.Succeeded || (reply.Status == StatusCodes.Status404NotFound ? false : throw new AdminCallException(reply));
            if (!AdminCli.Json(parse))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(revoked ? $"Revoked access token '{tokenName}'." : $"No access token named '{tokenName}'.");
            }

            return revoked ? 0 : 1;
        }));
        return command;
    }

    internal static bool TryParseLifetime(string text, out TimeSpan lifetime) =>
        Durations.TryParse(text, out lifetime) && lifetime > TimeSpan.Zero;

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
