using System.IO.Compression;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>The zip azd deploys: host.json, one folder per function and the executable at the root, executable bit kept.</summary>
[Collection(PackageCollection.Name)]
public sealed class PackageLayoutTests(PackageFixture package)
{
    [Fact]
    public void ZipRootHoldsHostJsonTheFunctionFoldersAndTheExecutable()
    {
        using var zip = ZipFile.OpenRead(package.ZipPath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("host.json", names);
        Assert.Contains("ServerlessRegistry", names);
        foreach (var function in Directory.GetDirectories(RepoFiles.FunctionsFolder).Select(Path.GetFileName))
        {
            Assert.Contains($"{function}/function.json", names);
            Assert.Equal(File.ReadAllText(Path.Combine(RepoFiles.FunctionsFolder, function!, "function.json")),
                new StreamReader(zip.GetEntry($"{function}/function.json")!.Open()).ReadToEnd());
        }

        Assert.Equal(RepoFiles.Text("host.json"), new StreamReader(zip.GetEntry("host.json")!.Open()).ReadToEnd());
        // Self-contained: the runtime travels with the app; no framework-dependent launcher config.
        Assert.Contains("libcoreclr.so", names);
        Assert.DoesNotContain(names, n => n.StartsWith("Functions/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.EndsWith(".pdb", StringComparison.Ordinal) || n.StartsWith("local.settings", StringComparison.Ordinal));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ExecutableKeepsItsExecuteBitsInTheZipAndWhenUnpacked()
    {
        using var zip = ZipFile.OpenRead(package.ZipPath);
        var entry = zip.GetEntry("ServerlessRegistry")!;
        var mode = (UnixFileMode)((entry.ExternalAttributes >> 16) & 0x1FF);
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute), $"mode in zip: {mode}");
        Assert.True(File.GetUnixFileMode(package.Executable).HasFlag(UnixFileMode.UserExecute));
        // host.json names the executable the host starts; it must exist at the root of the package.
        var path = RepoFiles.Json("host.json").GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;
        Assert.True(File.Exists(Path.Combine(package.AppRoot, path)));
    }

    [Fact]
    public void ExecutableIsReadyToRunForLinuxX64()
    {
        var elf = File.ReadAllBytes(package.Executable).AsSpan(0, 20).ToArray();
        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], elf[..4]);
        Assert.Equal(0x3E, elf[18]); // e_machine = x86-64
        // ReadyToRun images carry a managed native header (precompiled code); IL-only assemblies do not.
        using var dll = File.OpenRead(Path.Combine(package.AppRoot, "ServerlessRegistry.dll"));
        using var pe = new System.Reflection.PortableExecutable.PEReader(dll);
        Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "ServerlessRegistry.dll is not ReadyToRun");
    }
}
