using System.CommandLine;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies;

/// <summary><c>policy …</c>: list, show, explain, set and remove rules, lock and unlock items, run retention, reconcile quotas.</summary>
internal static class PolicyCommands
{
    public static Command Create()
    {
        var command = new Command("policy", "Retention, immutable tags, locks and quotas: stored in Table storage, in effect everywhere within 60 s.");
        command.Subcommands.Add(RetentionCommand.Create());
        command.Subcommands.Add(ReconcileCommand.Create());
        return command;
    }
}
