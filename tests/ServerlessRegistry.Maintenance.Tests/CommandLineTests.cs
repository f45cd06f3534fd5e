using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>
/// The command line as an operator meets it, through the program's own entry point: mistakes get one line on
/// stderr and a non-zero exit, and help says what the arguments and columns are.
/// </summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task UnknownOptionIsOneLineAndExitTwo()
    {
        var run = await CliRun.RunAsync("usage", "--bogus");
        Assert.Equal(2, run.Code);
        Assert.Contains("'--bogus'", run.OneErrorLine());
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData("gc", "--grace-period", "soon")]
    [InlineData("gc", "--grace-period", "-1h")]
    [InlineData("gc", "extra")]
    [InlineData("token", "list", "--Storage")]
    [InlineData("token", "create")]
    [InlineData("token", "revoke")]
    [InlineData("gc", "--dry-run", "maybe")]
    public async Task MalformedArgumentsAreRefusedBeforeAnyStorageCall(params string[] args)
    {
        var run = await CliRun.RunAsync(args);
        Assert.Equal(2, run.Code);
        run.OneErrorLine();
    }

    [Fact]
    public async Task GracePeriodBelowTheFloorIsRefusedAgainstAzure()
    {
        var run = await CliRun.RunAsync("gc", "--grace-period", "0s", "--Storage:AccountName=example", "--Storage:BlobEndpoint=https://example.blob.core.windows.net");
        Assert.Equal(1, run.Code);
        Assert.Contains("Maintenance:GracePeriod must be at least", run.OneErrorLine());
    }

    [Fact]
    public async Task UnparsableSettingIsOneLine()
    {
        var run = await CliRun.RunAsync(["gc", "--Maintenance:GracePeriod=abc", .. await CliRun.AzuriteAsync(Azurite.NewPrefix())]);
        Assert.Equal(1, run.Code);
        Assert.Contains("Maintenance:GracePeriod", run.OneErrorLine());
    }

    [Fact]
    public async Task WithoutAnAccountNameTheLocalEmulatorIsUsedAndNamed()
    {
        var closed = ClosedPort();
        var run = await CliRun.RunAsync("token", "list", $"--Storage:BlobEndpoint=http://127.0.0.1:{closed}/devstoreaccount1", $"--Storage:TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1");
        Assert.Equal(1, run.Code);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"token list: no Storage:AccountName given; using the local emulator of scripts/run-local.sh (http://127.0.0.1:{closed}/", lines[0]);
        Assert.StartsWith("token list: storage is unreachable", lines[1]);
    }

    [Fact]
    public async Task WrongAccountKeyIsOneLineAboutCredentials()
    {
        var azurite = await CliRun.AzuriteAsync(Azurite.NewPrefix());
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var run = await CliRun.RunAsync(["usage", .. azurite, "--Storage:AccountKey=" + wrongKey]);
        Assert.Equal(1, run.Code);
        Assert.Contains("refused the credentials (403", run.OneErrorLine());
    }

    [Fact]
    public async Task UnreachableStorageIsOneLine()
    {
        var closed = ClosedPort();
        var run = await CliRun.RunAsync(
            "usage", "--Storage:AccountName=devstoreaccount1", "--Storage:AccountKey=" + LocalEmulator.AccountKey,
            $"--Storage:BlobEndpoint=http://127.0.0.1:{closed}/devstoreaccount1", $"--Storage:TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1");
        Assert.Equal(1, run.Code);
        Assert.Contains("storage is unreachable", run.OneErrorLine());
    }

    [Fact]
    public async Task UsageHelpDescribesEveryColumnAndTheConfigurationOverrides()
    {
        var run = await CliRun.RunAsync("usage", "--help");
        Assert.Equal(0, run.Code);
        foreach (var column in new[] { "LOGICAL", "DEDUPLICATED", "EXCLUSIVE", "BLOBS", "MANIFESTS" })
        {
            Assert.Matches(new Regex($@"^\s+{column}\s+\S", RegexOptions.Multiline), run.Output);
        }

        Assert.Contains("usage [options] [--Section:Key=value...]", run.Output);
        Assert.Contains("Storage__AccountName", run.Output);
        Assert.DoesNotContain("additional arguments", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("application that is being run", run.Output);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("gc", "--help")]
    [InlineData("token", "create", "--help")]
    [InlineData("serve", "--help")]
    public async Task EveryUsageLineHasBalancedBrackets(params string[] args)
    {
        var run = await CliRun.RunAsync(args);
        Assert.Equal(0, run.Code);
        var usage = run.Output.Split('\n').SkipWhile(l => !l.StartsWith("Usage:", StringComparison.Ordinal)).Skip(1).First();
        Assert.Equal(usage.Count(c => c == '['), usage.Count(c => c == ']'));
        Assert.Equal(usage.Count(c => c == '<'), usage.Count(c => c == '>'));
    }

    [Fact]
    public async Task RunLocalStartsTheEmulatorTheCommandLineDefaultsTo()
    {
        var script = await File.ReadAllTextAsync(RepoRoot.Combine("scripts", "run-local.sh"));
        Assert.Contains($"AZURITE_BLOB_PORT:-{LocalEmulator.BlobPort}}}", script);
        Assert.Contains($"AZURITE_TABLE_PORT:-{LocalEmulator.TablePort}}}", script);
        Assert.Contains($"ACCOUNT={LocalEmulator.AccountName}\n", script);
        Assert.Contains($"KEY='{LocalEmulator.AccountKey}'", script);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One in-process run of the program's command line with its output captured.</summary>
internal sealed record CliRun(int Code, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegistryCli.RunAsync(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Configuration overrides that point the command line at the test Azurite under <paramref name="prefix"/>.</summary>
    public static async Task<string[]> AzuriteAsync(string prefix) =>
        [.. (await Azurite.GetAsync()).RegistrySettings(prefix).Select(kv => $"--{kv.Key}={kv.Value}")];

    /// <summary>Asserts stderr is exactly one line (no stack trace) and returns it.</summary>
    public string OneErrorLine()
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "stderr: " + Error);
        return lines[0];
    }
}
