using System.CommandLine;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary><c>policy reconcile [--dry-run]</c>: recounts every quota now and prints the drift found.</summary>
internal static class ReconcileCommand
{
    public static Command Create() => new("reconcile", "Recount every quota from what the repositories hold, and report the drift.");
}
