using System.Reflection;

namespace ServerlessRegistry.Testing;

/// <summary>The repository's top folder, recorded when the test support library was built.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string> Root = new(() =>
        typeof(RepoRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value
        ?? throw new InvalidOperationException("The RepoRoot build metadata is missing."));

    public static string Location => Root.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root.Value, .. parts]);
}
