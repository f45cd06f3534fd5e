using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The real Bicep CLI from the restored Azure.Bicep.CommandLine.linux-x64 package, run on a copy of infra/ whose
/// bicepconfig.json maps the Microsoft Graph extension to the vendored file (Fixtures/bicep), so nothing is fetched.
/// The copy keeps the repository's layout, so the .bicepparam fixtures in Fixtures/bicep resolve infra/ there as here.
/// </summary>
internal static class BicepCli
{
    private static readonly Lazy<Compiled> Main = new(() => Compile("main.bicep"));

    /// <summary>infra/main.bicep, built once per test run.</summary>
    public static Compiled MainTemplate => Main.Value;

    /// <summary>Subscription, tenant and region the snapshots deploy to: fixed, so resource ids are predictable.</summary>
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000000a";
    public const string TenantId = "00000000-0000-0000-0000-00000000000b";
    public const string Location = "westeurope";

    internal sealed record Compiled(JsonElement Template, string BuildOutput, string LintOutput, int LintExitCode);

    private static readonly string FixturesPath = Path.Combine("tests", "ServerlessRegistry.Deploy.Tests", "Fixtures", "bicep");

    private static Compiled Compile(string file)
    {
        using var work = new Workspace();
        var infra = Path.Combine(work.Path, "infra");
        var output = Path.Combine(infra, "main.json");
        var (buildCode, buildText) = Run(infra, "build", file, "--outfile", output);
        Assert.True(buildCode == 0, "bicep build failed:\n" + buildText);
        var (lintCode, lintText) = Run(infra, "lint", file);
        using var template = JsonDocument.Parse(File.ReadAllText(output));
        return new Compiled(template.RootElement.Clone(), buildText, lintText, lintCode);
    }

    /// <summary>
    /// `bicep snapshot` of a .bicepparam fixture (Fixtures/bicep): the resources a deployment would create, with every
    /// expression evaluated that does not need a deployed resource (references to one stay "[reference(…)]").
    /// </summary>
    public static JsonElement Snapshot(string parametersFile) =>
        Snapshots.GetOrAdd(parametersFile, file => new Lazy<JsonElement>(() => TakeSnapshot(file))).Value;

    private static readonly ConcurrentDictionary<string, Lazy<JsonElement>> Snapshots = new(StringComparer.Ordinal);

    private static JsonElement TakeSnapshot(string parametersFile)
    {
        using var work = new Workspace();
        var fixtures = Path.Combine(work.Path, FixturesPath);
        var (code, text) = Run(fixtures, "snapshot", parametersFile, "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", Location);
        Assert.True(code == 0, "bicep snapshot failed:\n" + text);
        using var snapshot = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, Path.ChangeExtension(parametersFile, ".snapshot.json"))));
        Assert.Empty(snapshot.RootElement.GetProperty("diagnostics").EnumerateArray());
        return snapshot.RootElement.GetProperty("predictedResources").Clone();
    }

    /// <summary>
    /// Runs `bicep snapshot` on a parameters file written from <paramref name="bicepparam"/> next to the fixtures and
    /// returns what the CLI said; asserts that it refused (a template's fail() or a type error).
    /// </summary>
    public static string SnapshotFailure(string bicepparam)
    {
        using var work = new Workspace();
        var fixtures = Path.Combine(work.Path, FixturesPath);
        File.WriteAllText(Path.Combine(fixtures, "refused.bicepparam"), bicepparam);
        var (code, text) = Run(fixtures, "snapshot", "refused.bicepparam", "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", Location);
        Assert.True(code != 0, "bicep snapshot accepted the parameters:\n" + text);
        return text;
    }

    /// <summary>A throwaway copy of infra/ and the Bicep fixtures, laid out as in the repository.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("bicep-infra-");

        public Workspace()
        {
            var infra = System.IO.Path.Combine(Path, "infra");
            var fixtures = System.IO.Path.Combine(Path, FixturesPath);
            CopyTree(RepoRoot.Combine("infra"), infra);
            CopyTree(RepoRoot.Combine(FixturesPath), fixtures);
            File.Copy(System.IO.Path.Combine(fixtures, "bicepconfig.json"), System.IO.Path.Combine(infra, "bicepconfig.json"), overwrite: true);
            File.Copy(System.IO.Path.Combine(fixtures, "microsoftgraph-v1.0-1.0.0.tgz"), System.IO.Path.Combine(infra, "microsoftgraph-v1.0-1.0.0.tgz"));
        }

        public string Path => _directory.FullName;

        public void Dispose() => _directory.Delete(recursive: true);
    }

    private static (int ExitCode, string Output) Run(string directory, params string[] arguments)
    {
        // Bicep writes its extension and module caches under HOME; keep them in the throwaway folder.
        var environment = new Dictionary<string, string> { ["HOME"] = directory, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["BICEP_TRACING_ENABLED"] = "false" };
        // Off the test's synchronization context: this runs inside a Lazy that blocks.
        var result = Task.Run(() => TestProcess.RunAsync(Executable(), arguments, environment, directory, TimeSpan.FromMinutes(5))).GetAwaiter().GetResult();
        return (result.ExitCode, result.StdOutText + result.StdErr);
    }

    private static string Executable()
    {
        var package = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPackage").Value;
        Assert.False(string.IsNullOrEmpty(package), "the Azure.Bicep.CommandLine.linux-x64 package path is missing from the build");
        var bicep = Path.Combine(package!, "tools", "bicep");
        Assert.True(File.Exists(bicep), $"no Bicep CLI at {bicep}: restore the test project");
        if (!OperatingSystem.IsWindows())
        {
            // NuGet extracts without the execute bit.
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return bicep;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
