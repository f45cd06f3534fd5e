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
        var command = new Command("usage", "Show storage per repository: logical and deduplicated bytes.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, ct) => CliServices.WithAsync([.. parse.UnmatchedTokens], async services =>
        {
            var usage = await services.GetRequiredService<UsageReport>().RunAsync(ct);
            var width = Math.Max(10, usage.Repositories.Select(r => r.Repository.Length).DefaultIfEmpty(0).Max());
            Console.Out.WriteLine($"{"REPOSITORY".PadRight(width)}  {"LOGICAL",12}  {"DEDUPLICATED",12}  {"EXCLUSIVE",12}  {"BLOBS",7}  {"MANIFESTS",9}");
            foreach (var r in usage.Repositories)
            {
                Console.Out.WriteLine($"{r.Repository.PadRight(width)}  {Human(r.Logical),12}  {Human(r.Deduplicated),12}  {Human(r.Exclusive),12}  {r.Blobs,7}  {r.Manifests,9}");
            }

            Console.Out.WriteLine($"{"TOTAL".PadRight(width)}  {Human(usage.LogicalBytes),12}  {Human(usage.StoredBytes),12}");
            Console.Out.WriteLine($"Stored {usage.StoredBytes:N0} bytes for {usage.LogicalBytes:N0} logical bytes.");
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
