using System.CommandLine;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Policies;

/// <summary><c>policy list</c> and <c>policy show</c>: what is stored, as the admin API reads it from storage (not from a cache).</summary>
internal static partial class PolicyCommands
{
    private static Command ListCommand()
    {
        var command = StorageCommand("list", "List every rule (kind, name, repositories, what it does; quotas with their use) and every lock.");
        OnRun(command, _ => 0, async (parse, _, channel, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var policies = await channel.ListAllAsync<PolicyView>(new AdminCall("listPolicies"), ct);
            var locks = await channel.ListAllAsync<LockView>(new AdminCall("listLocks"), ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, new PolicyListing(policies, locks));
                return 0;
            }

            var rules = policies
                .Select(p => (Kind: PolicySpecs.Kind(p.Spec.Kind), p.Name, p.Spec.Repositories, Summary: p.Use is { } use ? $"{p.Summary}; {UsageCommandLine(use.UsedBytes, p.Spec.LimitBytes ?? 0)}" : p.Summary))
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ToList();
            if (rules.Count == 0)
            {
                await output.WriteLineAsync("No rules.");
            }
            else
            {
                await WriteTableAsync(output, ["KIND", "NAME", "REPOSITORIES", "WHAT IT DOES"], rules.Select(r => new[] { r.Kind, r.Name, r.Repositories, r.Summary }));
            }

            await output.WriteLineAsync();
            if (locks.Count == 0)
            {
                await output.WriteLineAsync("No locks.");
            }
            else
            {
                await WriteTableAsync(output, ["LOCKED", "BLOCKS", "SINCE"], locks.Select(l => new[] { l.Target, Blocks(l.NoWrite, l.NoDelete), Time(l.CreatedAt) }));
            }

            return 0;
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var name = NameArgument();
        var command = StorageCommand("show", "Show every field of one rule.");
        command.Arguments.Add(name);
        OnRun(command, parse => parse.GetRequiredValue(name), async (parse, ruleName, channel, ct) =>
        {
            var view = await channel.CallAsync<PolicyView>(new AdminCall("getPolicy") { Route = Route("name", ruleName) }, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, view);
                return 0;
            }

            var rule = PolicySpecs.RuleOf(view);
            var fields = new List<(string, string)> { ("Name", ruleName), ("Kind", KindOf(rule)), ("Repositories", RepositoriesOf(rule)) };
            switch (rule)
            {
                case RetentionRule r:
                    fields.Add(("Tags", r.Tags.Count == 0 ? "none (the rule deletes only untagged manifests)" : string.Join(", ", r.Tags) + " (other tags are kept)"));
                    fields.AddRange(Criteria(r.Keep).Select((c, i) => (i == 0 ? "Keeps" : "", i == 0 ? c : "or " + c)));
                    if (r.Tags.Count > 0)
                    {
                        fields.Add(("Deletes", "every other tag in scope, unless a lock, an immutable rule or another rule keeps it"));
                    }

                    fields.Add(("Untagged", r.UntaggedAfter is { } after ? $"deleted {Duration(after)} after their last push or pull" : "kept"));
                    break;
                case ImmutableRule r:
                    fields.Add(("Tags", r.Tags));
                    fields.Add(("Effect", "matching tags cannot be moved to another digest or deleted"));
                    break;
                case QuotaRule r:
                    var use = view.Use ?? new QuotaUseView(0, 0);
                    fields.Add(("Limit", Size(r.LimitBytes) + ", each digest counted once"));
                    fields.Add(("In use", Use(use.UsedBytes, r.LimitBytes)));
                    fields.Add(("Reconciled", use.ReconciledAt is { } at ? $"{Time(at)}, corrected by {use.LastDriftBytes:N0} bytes" : "never"));
                    break;
            }

            var width = fields.Max(f => f.Item1.Length) + 2;
            foreach (var (label, value) in fields)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync((label.Length > 0 ? label + ":" : "").PadRight(width + 1) + value);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Columns padded to their widest cell; the last column is not padded.</summary>
    private static async Task WriteTableAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))));
        }
    }
}

/// <summary><c>policy list --output json</c>: the two lists it reads, rules and locks.</summary>
internal sealed record PolicyListing(IReadOnlyList<PolicyView> Policies, IReadOnlyList<LockView> Locks);
