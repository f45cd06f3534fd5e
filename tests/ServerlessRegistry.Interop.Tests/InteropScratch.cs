using System.Security.Cryptography;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>
/// Per-test workspace: a temp folder for OCI layouts, a private skopeo/podman configuration, and unique
/// repository names. Disposing removes all of it.
/// </summary>
internal sealed class InteropScratch : IDisposable
{
    private static readonly Lazy<byte[]> FiftyMebibytes = new(() => RandomNumberGenerator.GetBytes(50 * 1024 * 1024));
    private readonly string _root = Directory.CreateTempSubdirectory("interop-").FullName;
    private readonly ContainersSandbox _sandbox = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public InteropScratch(IRegistryUnderTest registry)
    {
        Registry = registry;
        Skopeo = new Skopeo(_sandbox);
        Podman = new Podman(_sandbox);
    }

    public IRegistryUnderTest Registry { get; }
    public Skopeo Skopeo { get; }
    public Podman Podman { get; }

    /// <summary>
    /// 50 MiB of random bytes, generated once per run. Callers wrap it in a tar with a unique file name, so every
    /// test uploads a layer the registry has never seen (no cross-test dedup or mount hides the upload path).
    /// </summary>
    public static byte[] LargePayload => FiftyMebibytes.Value;

    public static byte[] SmallPayload() => RandomNumberGenerator.GetBytes(4096);

    /// <summary>A repository name unique to this test, e.g. "interop/single-1a2b3c4d".</summary>
    public string Repository(string name) => $"interop/{name}-{_suffix}";

    /// <summary>docker://host:port/repository:tag-or-@digest</summary>
    public string Remote(string repository, string reference) =>
        $"docker://{Image(repository, reference)}";

    /// <summary>host:port/repository:tag (or @digest), as podman names images.</summary>
    public string Image(string repository, string reference) =>
        $"{Registry.HostPort}/{repository}{(reference.StartsWith("sha256:", StringComparison.Ordinal) ? "@" : ":")}{reference}";

    public OciLayoutBuilder NewLayout(string name) => new(Path.Combine(_root, name));

    public string LayoutPath(string name) => Path.Combine(_root, name);

    public static string UniqueFileName() => "payload-" + Guid.NewGuid().ToString("N") + ".bin";

    public void Dispose()
    {
        _sandbox.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
