using System.CommandLine;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Policies;

/// <summary><c>policy lock</c> and <c>policy unlock</c>: per-item locks on a repository, a tag or a manifest.</summary>
internal static partial class PolicyCommands
{
    private static Argument<string> TargetArgument() =>
        new("target") { Description = "A repository (team/app), a tag (team/app:v1) or a manifest (team/app@sha256:…)." };

    private static Command LockCommand()
    {
        var target = TargetArgument();
        var noWrite = new Option<bool>("--no-write") { Description = "Nothing may change it: no push into a repository; a tag cannot be moved or deleted; a manifest cannot be deleted nor its tags moved away." };
        var noDelete = new Option<bool>("--no-delete") { Description = "It may not be deleted (for a repository: nothing in it)." };
        var command = StorageCommand("lock", "Lock a repository, tag or manifest against writes, deletes or both; replaces an existing lock on it. Retention respects locks.");
        command.Arguments.Add(target);
        command.Options.Add(noWrite);
        command.Options.Add(noDelete);
        OnRun(command, parse =>
        {
            var (write, delete) = (parse.GetValue(noWrite), parse.GetValue(noDelete));
            return write || delete
                ? (Target: LockTarget.Parse(parse.GetRequiredValue(target)), NoWrite: write, NoDelete: delete)
                : throw new Mistake("say what the lock blocks: --no-write, --no-delete or both.");
        }, async (parse, input, channel, ct) =>
        {
            var call = new AdminCall("putLock") { Query = Query(input.Target.ToString()), Body = new LockSpec(input.NoWrite, input.NoDelete) };
            var view = await channel.CallAsync<LockView>(call, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, view);
                return 0;
            }

            var blocks = Blocks(view.NoWrite, view.NoDelete);
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"Locked {view.Target} against {blocks.Replace(", ", " and ", StringComparison.Ordinal)}; in effect everywhere within {PolicyCache.MaxStaleness.TotalSeconds:0} s.");
            return 0;
        });
        return command;
    }

    private static Dictionary<string, string?> Query(string target) => new(StringComparer.Ordinal) { ["target"] = target };

    private static string? TryParse(string target)
    {
        try
        {
            return LockTarget.Parse(target).ToString();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Command UnlockCommand()
    {
        var target = TargetArgument();
        var command = StorageCommand("unlock", "Remove the lock on a repository, tag or manifest.");
        command.Arguments.Add(target);
        OnRun(command, parse => parse.GetRequiredValue(target), async (parse, text, channel, ct) =>
        {
            // A stored target that no longer parses (another version wrote it, or a hand edit) is matched as text, so the
            // unlock that its load error suggests works; a malformed target that matches no lock is INVALID, a mistake.
            var reply = await channel.SendAsync(new AdminCall("deleteLock") { Query = Query(text) }, ct);
            if (reply.Status == StatusCodes.Status400BadRequest)
            {
                return await FailAsync(parse, CommandLineError, reply.Error().Message.StartsWith("target: ", StringComparison.Ordinal) ? reply.Error().Message["target: ".Length..] : reply.Error().Message);
            }

            if (!reply.Succeeded)
            {
                throw new AdminCallException(reply);
            }

            if (!AdminCli.Json(parse))
            {
                var unlocked = TryParse(text) ?? text;
                await parse.InvocationConfiguration.Output.WriteLineAsync($"Unlocked {unlocked}; other instances lift the lock within {PolicyCache.MaxStaleness.TotalSeconds:0} s.");
            }

            return 0;
        });
        return command;
    }
}
