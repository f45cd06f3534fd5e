using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// <c>usage</c>: storage per repository, logical (as if stored alone) and deduplicated (its share of what is
/// stored), from metadata only. Extra arguments are configuration, as for serve.
/// </summary>
internal static class UsageCommand
{
    public static Command Create()
    {
        var command = new Command("usage",
            """
            Show storage per repository, from metadata only (no content is read). Columns:
              LOGICAL       every blob and manifest the repository holds, at full size: its cost if stored alone
              DEDUPLICATED  its share of what is stored: each shared blob's size divided among the repositories linking it
              EXCLUSIVE     bytes no other repository references: what deleting it would reclaim (after gc)
              BLOBS         blob links (layers and configs)
              MANIFESTS     manifests, tagged or not
            TOTAL sums LOGICAL and the bytes stored once (DEDUPLICATED).
            """)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, ct) => CliServices.WithAsync(parse, async services =>
        {
            var output = parse.InvocationConfiguration.Output;
            var usage = await services.GetRequiredService<UsageReport>().RunAsync(ct);
            var width = Math.Max(10, usage.Repositories.Select(r => r.Repository.Length).DefaultIfEmpty(0).Max());
            await output.WriteLineAsync($"{"REPOSITORY".PadRight(width)}  {"LOGICAL",12}  {"DEDUPLICATED",12}  {"EXCLUSIVE",12}  {"BLOBS",7}  {"MANIFESTS",9}");
            foreach (var r in usage.Repositories)
            {
                await output.WriteLineAsync($"{r.Repository.PadRight(width)}  {Human(r.Logical),12}  {Human(r.Deduplicated),12}  {Human(r.Exclusive),12}  {r.Blobs,7}  {r.Manifests,9}");
            }

            await output.WriteLineAsync($"{"TOTAL".PadRight(width)}  {Human(usage.LogicalBytes),12}  {Human(usage.StoredBytes),12}");
            await output.WriteLineAsync($"Stored {usage.StoredBytes:N0} bytes for {usage.LogicalBytes:N0} logical bytes.");
            return 0;
        }));
        return command;
    }

    public static string Human(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? bytes.ToString(CultureInfo.InvariantCulture) + " B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
