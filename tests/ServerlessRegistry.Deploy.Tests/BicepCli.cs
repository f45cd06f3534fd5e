using System.Reflection;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The real Bicep CLI from the restored Azure.Bicep.CommandLine.linux-x64 package, run on a copy of infra/ whose
/// bicepconfig.json maps the Microsoft Graph extension to the vendored file (Fixtures/bicep), so nothing is fetched.
/// </summary>
internal static class BicepCli
{
    private static readonly Lazy<Compiled> Main = new(() => Compile("main.bicep"));

    /// <summary>infra/main.bicep, built once per test run.</summary>
    public static Compiled MainTemplate => Main.Value;

    internal sealed record Compiled(JsonElement Template, string BuildOutput, string LintOutput, int LintExitCode);

    private static Compiled Compile(string file)
    {
        var work = Directory.CreateTempSubdirectory("bicep-infra-");
        try
        {
            CopyTree(RepoRoot.Combine("infra"), work.FullName);
            var fixtures = RepoRoot.Combine("tests", "ServerlessRegistry.Deploy.Tests", "Fixtures", "bicep");
            File.Copy(Path.Combine(fixtures, "bicepconfig.json"), Path.Combine(work.FullName, "bicepconfig.json"), overwrite: true);
            File.Copy(Path.Combine(fixtures, "microsoftgraph-v1.0-1.0.0.tgz"), Path.Combine(work.FullName, "microsoftgraph-v1.0-1.0.0.tgz"));
            var output = Path.Combine(work.FullName, "main.json");
            var (buildCode, buildText) = Run(work.FullName, "build", file, "--outfile", output);
            Assert.True(buildCode == 0, "bicep build failed:\n" + buildText);
            var (lintCode, lintText) = Run(work.FullName, "lint", file);
            using var template = JsonDocument.Parse(File.ReadAllText(output));
            return new Compiled(template.RootElement.Clone(), buildText, lintText, lintCode);
        }
        finally
        {
            work.Delete(recursive: true);
        }
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
