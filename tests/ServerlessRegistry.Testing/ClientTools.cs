namespace ServerlessRegistry.Testing;

/// <summary>
/// A private configuration for the containers tools (skopeo, podman): a permissive signature policy, an empty
/// auth file, registries.conf, storage.conf (vfs), containers.conf, HOME, TMPDIR and the podman root/runroot,
/// all in one temp folder that <see cref="Dispose"/> removes. Nothing reads /etc/containers or the real home.
/// </summary>
public sealed class ContainersSandbox : IDisposable
{
    public ContainersSandbox()
    {
        Root = Directory.CreateTempSubdirectory("interop-tools-").FullName;
        foreach (var dir in new[] { "home", "tmp", "storage", "run", "libpod" })
        {
            Directory.CreateDirectory(Path.Combine(Root, dir));
        }

        File.WriteAllText(PolicyPath, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        File.WriteAllText(Path.Combine(Root, "auth.json"), "{}");
        File.WriteAllText(Path.Combine(Root, "registries.conf"), "unqualified-search-registries = []\n");
        File.WriteAllText(Path.Combine(Root, "containers.conf"), "[engine]\nevents_logger = \"file\"\ncgroup_manager = \"cgroupfs\"\n");
        File.WriteAllText(Path.Combine(Root, "storage.conf"), $"[storage]\ndriver = \"vfs\"\nrunroot = \"{RunRoot}\"\ngraphroot = \"{StorageRoot}\"\n");
        Environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(Root, "home"),
            ["TMPDIR"] = Path.Combine(Root, "tmp"),
            ["XDG_CONFIG_HOME"] = Path.Combine(Root, "home", ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(Root, "home", ".local", "share"),
            ["REGISTRY_AUTH_FILE"] = Path.Combine(Root, "auth.json"),
            ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(Root, "registries.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Combine(Root, "storage.conf"),
            ["CONTAINERS_CONF"] = Path.Combine(Root, "containers.conf"),
        };
    }

    public string Root { get; }
    public string PolicyPath => Path.Combine(Root, "policy.json");
    public string StorageRoot => Path.Combine(Root, "storage");
    public string RunRoot => Path.Combine(Root, "run");
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Runs <paramref name="file"/> with this sandbox's environment; throws with all output on a non-zero exit.</summary>
    public async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var result = await TestProcess.RunAsync(file, args, Environment, timeout: timeout);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.Describe());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A tool still holding a file must not fail the test; the folder is in /tmp.
        }
    }
}

/// <summary>skopeo 1.9 against plain-HTTP registries, with the sandbox's policy.</summary>
public sealed class Skopeo(ContainersSandbox sandbox)
{
    private const string Binary = "/usr/bin/skopeo";

    /// <summary>skopeo copy --preserve-digests; pass <c>--all</c> in <paramref name="extra"/> for an index.</summary>
    public Task<ProcessResult> CopyAsync(string source, string destination, params string[] extra) => sandbox.RunAsync(Binary,
    [
        "--policy", sandbox.PolicyPath, "copy", "--quiet", "--preserve-digests",
        "--src-tls-verify=false", "--dest-tls-verify=false", .. extra, source, destination,
    ]);

    /// <summary>The manifest bytes exactly as the registry served them.</summary>
    public async Task<byte[]> InspectRawAsync(string reference) =>
        (await sandbox.RunAsync(Binary, ["inspect", "--raw", "--tls-verify=false", reference])).StdOut;

    public async Task<string> InspectConfigRawAsync(string reference) =>
        (await sandbox.RunAsync(Binary, ["inspect", "--raw", "--config", "--tls-verify=false", reference])).StdOutText;

    public async Task<string> ListTagsAsync(string repository) =>
        (await sandbox.RunAsync(Binary, ["list-tags", "--tls-verify=false", repository])).StdOutText;

    public Task<ProcessResult> DeleteAsync(string reference) => sandbox.RunAsync(Binary, ["delete", "--tls-verify=false", reference]);
}

/// <summary>
/// podman 4.3 as root with its own vfs storage, runroot and libpod tmpdir, so concurrent tests never share state.
/// cgroupfs and the file events backend are set because there is no systemd here.
/// </summary>
public sealed class Podman(ContainersSandbox sandbox)
{
    private const string Binary = "/usr/bin/podman";

    public Task<ProcessResult> PullAsync(string image) =>
        RunAsync(["pull", "--quiet", "--tls-verify=false", "--signature-policy", sandbox.PolicyPath, image]);

    /// <summary>Pushes <paramref name="image"/> to <paramref name="destination"/>; returns the manifest digest podman pushed.</summary>
    public async Task<string> PushAsync(string image, string destination)
    {
        var digestFile = Path.Combine(sandbox.Root, "tmp", Guid.NewGuid().ToString("N"));
        await RunAsync(["push", "--quiet", "--tls-verify=false", "--signature-policy", sandbox.PolicyPath, "--digestfile", digestFile, image, destination]);
        return (await File.ReadAllTextAsync(digestFile)).Trim();
    }

    /// <summary>A Go template over podman image inspect, e.g. <c>{{.Id}}</c>.</summary>
    public async Task<string> InspectAsync(string image, string format) =>
        (await RunAsync(["image", "inspect", "--format", format, image])).StdOutText.Trim();

    public Task<ProcessResult> RunAsync(IEnumerable<string> args) => sandbox.RunAsync(Binary,
    [
        "--root", sandbox.StorageRoot, "--runroot", sandbox.RunRoot, "--tmpdir", Path.Combine(sandbox.Root, "libpod"),
        "--storage-driver", "vfs", "--cgroup-manager=cgroupfs", "--events-backend=file", .. args,
    ]);
}
