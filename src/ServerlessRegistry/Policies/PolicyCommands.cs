using System.CommandLine;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies;

/// <summary>
/// <c>policy …</c>: list, show, explain, set and remove rules, lock and unlock items, run retention, reconcile quotas.
/// Each calls the admin API (<see cref="PolicyAdmin"/>): in-process against the configured storage (extra arguments are
/// configuration, as for serve), or with --registry through a deployed registry, printing the same either way
/// (--output json: the API's answer). Each change prints one line, and reaches every running instance within
/// <see cref="PolicyCache.MaxStaleness"/>. Exit codes: 0 done,
/// 1 the operation failed or was refused (one line on stderr), 2 the command line is wrong (nothing was read or written).
/// </summary>
internal static partial class PolicyCommands
{
    public static Command Create()
    {
        var command = new Command("policy", "Retention, immutable tags, locks and quotas: stored in Table storage, in effect everywhere within 60 s.");
        foreach (var subcommand in new[]
        {
            ListCommand(), ShowCommand(), ExplainCommand(),
            RetentionSetCommand(), ImmutableSetCommand(), QuotaSetCommand(), RemoveCommand(),
            LockCommand(), UnlockCommand(),
            RetentionCommand.Create(), ReconcileCommand.Create(),
        })
        {
            command.Subcommands.Add(subcommand);
        }

        return command;
    }
}
