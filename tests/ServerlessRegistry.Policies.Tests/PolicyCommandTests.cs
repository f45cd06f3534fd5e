using ServerlessRegistry.Azure;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// The policy commands as an operator meets them, through the program's own entry point against Azurite: each change
/// says so in one line, list and show read back what was set, and mistakes are one line with exit 2 (command line) or 1.
/// </summary>
public sealed class PolicyCommandTests : IAsyncLifetime
{
    private readonly string _prefix = Azurite.NewPrefix();
    private string[] _storage = [];

    public async Task InitializeAsync() =>
        _storage = [.. (await Azurite.GetAsync()).RegistrySettings(_prefix).Select(kv => $"--{kv.Key}={kv.Value}")];

    public async Task DisposeAsync()
    {
        var tables = new AzureStorage(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), TimeProvider.System).CreateMetadataStore();
        await tables.DeleteTableAsync(PolicyLayout.Table(new StorageLayout(_prefix)), default);
    }

    [Fact]
    public async Task RulesAndLocksAreSetListedShownAndRemoved()
    {
        var set = await RunAsync("policy", "retention", "set", "keep-ci", "--repositories", "ci/**", "--keep-last-pushed", "5", "--keep-pushed-within", "30d", "--untagged-after", "7d");
        Assert.Equal("Retention rule 'keep-ci' set on ci/**: of tags ** keeps the 5 most recently pushed or those pushed within 30d, deletes the rest; " +
            "untagged manifests deleted 7d after their last push or pull.", set.OneOutputLine());
        Assert.StartsWith("Immutable rule 'releases' set on release/*", (await RunAsync("policy", "immutable", "set", "releases", "--repositories", "release/*", "--tags", "v*")).OneOutputLine());
        Assert.StartsWith("Locked team/app:stable against writes;", (await RunAsync("policy", "lock", "team/app:stable", "--no-write")).OneOutputLine());

        var list = (await RunAsync("policy", "list")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal("KIND       NAME      REPOSITORIES  WHAT IT DOES", list[0]);
        Assert.Equal("immutable  releases  release/*     tags v* cannot be moved or deleted", list[2]);
        Assert.StartsWith("retention  keep-ci   ci/**         of tags ** keeps the 5 most recently pushed", list[1]);
        Assert.Equal("LOCKED           BLOCKS  SINCE", list[3]);
        Assert.StartsWith("team/app:stable  writes  20", list[4]);

        var show = await RunAsync("policy", "show", "keep-ci");
        Assert.Contains("Kind:          retention\n", show.Output);
        Assert.Contains("Keeps:         the 5 most recently pushed\n               or those pushed within 30d\n", show.Output);
        Assert.Contains("Untagged:      deleted 7d after their last push or pull\n", show.Output);

        Assert.StartsWith("Removed immutable rule 'releases';", (await RunAsync("policy", "remove", "releases")).OneOutputLine());
        Assert.StartsWith("Unlocked team/app:stable;", (await RunAsync("policy", "unlock", "team/app:stable")).OneOutputLine());
        var after = await RunAsync("policy", "list");
        Assert.DoesNotContain("releases", after.Output);
        Assert.EndsWith("No locks.", after.Output.TrimEnd());
    }

    [Theory]
    [InlineData("keeps nothing", "policy", "retention", "set", "r", "--repositories", "a/*")]
    [InlineData("--keep-pushed-within 'soon' is not a period", "policy", "retention", "set", "r", "--repositories", "a/*", "--keep-pushed-within", "soon")]
    [InlineData("--untagged-after '0s' is not a period", "policy", "retention", "set", "r", "--repositories", "a/*", "--untagged-after", "0s")]
    [InlineData("keep-last-pushed must be at least 1", "policy", "retention", "set", "r", "--repositories", "a/*", "--keep-last-pushed", "0")]
    [InlineData("rule name 'R' is not valid", "policy", "retention", "set", "R", "--repositories", "a/*", "--keep-always")]
    [InlineData("--tags is required", "policy", "immutable", "set", "i", "--repositories", "a/*")]
    [InlineData("contains white space", "policy", "immutable", "set", "i", "--repositories", "a/*", "--tags", "v 1")]
    [InlineData("--limit 'lots' is not a size", "policy", "quota", "set", "q", "--repositories", "a/*", "--limit", "lots")]
    [InlineData("--no-write, --no-delete or both", "policy", "lock", "team/app")]
    [InlineData("does not start with a repository name", "policy", "lock", "Team/App", "--no-write")]
    public async Task MistakesAreOneLineAndExitTwoBeforeAnyStorageCall(string expected, params string[] args)
    {
        var run = await CliRun(args);

        Assert.Equal(2, run.Code);
        Assert.Contains(expected, run.OneErrorLine());
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task RefusalsAndUnknownNamesAreOneLineAndExitOne()
    {
        await RunAsync("policy", "immutable", "set", "taken", "--repositories", "a/*", "--tags", "v*");

        await AssertFailsAsync("the name 'taken' belongs to an immutable rule", "policy", "retention", "set", "taken", "--repositories", "a/*", "--keep-always");
        await AssertFailsAsync("there is no rule named 'nope'", "policy", "show", "nope");
        await AssertFailsAsync("there is no rule named 'nope'", "policy", "remove", "nope");
        await AssertFailsAsync("a/b is not locked", "policy", "unlock", "a/b");
    }

    [Fact]
    public async Task ExplainNamesTheRulesAndLocksThatApplyAndThoseThatDoNot()
    {
        await RunAsync("policy", "immutable", "set", "rel", "--repositories", "release/*", "--tags", "v*");
        await RunAsync("policy", "lock", "release/app", "--no-delete");
        await RunAsync("policy", "lock", "release/app:v1", "--no-write", "--no-delete");

        var v1 = (await RunAsync("policy", "explain", "release/app:v1")).Output;
        var latest = (await RunAsync("policy", "explain", "release/app:latest")).Output;
        var other = (await RunAsync("policy", "explain", "other/app")).Output;

        Assert.Equal(
            "release/app:v1: 3 rules and locks apply.\n" +
            "  immutable 'rel' (release/*): tag v1 matches v*, so it cannot be moved or deleted.\n" +
            "  lock on release/app: blocks deletes.\n" +
            "  lock on release/app:v1: blocks writes and deletes.\n", v1);
        Assert.Contains("tag latest does not match v*, so it may be moved or deleted.", latest);
        Assert.DoesNotContain("release/app:v1", latest);
        Assert.Equal("No rule or lock applies to other/app: retention keeps it, and pushes and deletes are not limited.\n", other);
    }

    [Theory]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("500MiB", 500L << 20)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("2 tb", 2_000_000_000_000L)]
    [InlineData("4096", 4096L)]
    [InlineData("1kib", 1024L)]
    public void SizesReadAsOperatorsTypeThem(string text, long expected)
    {
        Assert.True(PolicyCommands.TryParseSize(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public async Task UnreadableAndUnknownRulesAndLocksCanBeRemoved()
    {
        var tables = new AzureStorage(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), TimeProvider.System).CreateMetadataStore();
        var table = PolicyLayout.Table(new StorageLayout(_prefix));
        foreach (var row in new[]
        {
            new TableRow(PolicyLayout.RulesPartition, "broken") { ["Kind"] = "quota", ["Json"] = """{"repositories":"a/*","limitBytes":"lots"}""" },
            new TableRow(PolicyLayout.RulesPartition, "later") { ["Kind"] = "mirror-only", ["Json"] = "{}" },
            new TableRow(PolicyLayout.LocksPartition, StorageLayout.RepositoryKey("team/app@latest")) { ["Target"] = "team/app@latest", ["NoWrite"] = true },
        })
        {
            await tables.ExecuteAsync(table, RowOperation.Upsert(row), default);
        }

        Assert.StartsWith("Removed quota rule 'broken';", (await RunAsync("policy", "remove", "broken")).OneOutputLine());
        Assert.StartsWith("Removed mirror-only rule 'later';", (await RunAsync("policy", "remove", "later")).OneOutputLine());
        Assert.StartsWith("Unlocked team/app@latest;", (await RunAsync("policy", "unlock", "team/app@latest")).OneOutputLine());
        Assert.EndsWith("No locks.", (await RunAsync("policy", "list")).Output.TrimEnd());

        var malformed = await CliRun(["policy", "unlock", "team/app@latest", .. _storage]);
        Assert.Equal(2, malformed.Code);
        Assert.Contains("is not a digest", malformed.OneErrorLine());
    }

    [Theory]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("10 parsecs")]
    [InlineData("0.1B")]
    public void NonSizesAreRefused(string text) => Assert.False(PolicyCommands.TryParseSize(text, out _));

    private async Task<Run> RunAsync(params string[] args)
    {
        var run = await CliRun([.. args, .. _storage]);
        Assert.True(run.Code == 0, $"{string.Join(' ', args)}: exit {run.Code}: {run.Error}");
        return run;
    }

    private async Task AssertFailsAsync(string expected, params string[] args)
    {
        var run = await CliRun([.. args, .. _storage]);
        Assert.Equal(1, run.Code);
        Assert.Contains(expected, run.OneErrorLine());
    }

    private static async Task<Run> CliRun(string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await RegistryCli.RunAsync(args, output, error);
        return new Run(code, output.ToString(), error.ToString());
    }

    private sealed record Run(int Code, string Output, string Error)
    {
        public string OneErrorLine() => One(Error);

        public string OneOutputLine() => One(Output);

        private static string One(string text)
        {
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.Length == 1, text);
            return lines[0];
        }
    }
}
