using System.Diagnostics;
using System.IO.Compression;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// Runs scripts/package.sh once per test run, into a temp folder (never the tree's dist/), and unpacks the zip as
/// the platform would. Publishing takes a minute, so every test that needs the package shares this fixture.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-package-").FullName;

    public string ZipPath => Path.Combine(_root, "out", "registry.zip");
    public string AppRoot => Path.Combine(_root, "unpacked");
    public string Executable => Path.Combine(AppRoot, "ServerlessRegistry");

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("bash", [RepoRoot.Combine("scripts", "package.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot.Location,
        };
        start.Environment["PACKAGE_OUT"] = Path.Combine(_root, "out");
        start.Environment["PACKAGE_ARTIFACTS"] = Path.Combine(_root, "artifacts");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"package.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        // .NET restores Unix permissions stored in the zip, like the platform's unzip.
        ZipFile.ExtractToDirectory(ZipPath, AppRoot);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package";
}
