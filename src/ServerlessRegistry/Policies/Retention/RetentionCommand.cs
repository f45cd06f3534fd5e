using System.CommandLine;

namespace ServerlessRegistry.Policies.Retention;

/// <summary><c>policy run [--dry-run] [--repository name]</c>: applies the retention rules now, printing what is deleted and why, per rule.</summary>
internal static class RetentionCommand
{
    public static Command Create() => new("run", "Apply the retention rules now (--dry-run: print what would be deleted, and why).");
}
