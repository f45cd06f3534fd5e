using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// <c>usage</c>: storage per repository, logical (as if stored alone) and deduplicated (its share of what is
/// stored), from metadata only; through the admin API with --registry, else against the configured storage. Extra
/// arguments are configuration, as for serve.
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
        command.SetAction((parse, ct) => AdminCli.RunAsync(parse, async channel =>
        {
            var usage = await ReadAllAsync(channel, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, usage);
                return 0;
            }

            var output = parse.InvocationConfiguration.Output;
            var width = Math.Max(10, usage.Items.Select(r => r.Repository.Length).DefaultIfEmpty(0).Max());
            await output.WriteLineAsync($"{"REPOSITORY".PadRight(width)}  {"LOGICAL",12}  {"DEDUPLICATED",12}  {"EXCLUSIVE",12}  {"BLOBS",7}  {"MANIFESTS",9}");
            foreach (var r in usage.Items)
            {
                await output.WriteLineAsync($"{r.Repository.PadRight(width)}  {Human(r.Logical),12}  {Human(r.Deduplicated),12}  {Human(r.Exclusive),12}  {r.Blobs,7}  {r.Manifests,9}");
            }

            await output.WriteLineAsync($"{"TOTAL".PadRight(width)}  {Human(usage.Totals.Logical),12}  {Human(usage.Totals.Deduplicated),12}");
            await output.WriteLineAsync($"Stored {usage.Totals.Deduplicated:N0} bytes for {usage.Totals.Logical:N0} logical bytes.");
            return 0;
        }));
        return command;
    }

    /// <summary>Every page of getUsage as one view (the totals are the same on each page; the last page's are kept).</summary>
    private static async Task<UsageView> ReadAllAsync(IAdminChannel channel, CancellationToken ct)
    {
        var items = new List<RepositoryUsageView>();
        UsageView page;
        string? last = null;
        do
        {
            var query = new Dictionary<string, string?> { ["n"] = Admin.AdminPaging.Max.ToString(CultureInfo.InvariantCulture), ["last"] = last };
            page = await channel.CallAsync<UsageView>(new AdminCall("getUsage") { Query = query }, ct);
            items.AddRange(page.Items);
            last = page.Next;
        }
        while (last is not null);

        return page with { Items = items };
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
