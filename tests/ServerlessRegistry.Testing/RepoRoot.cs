namespace ServerlessRegistry.Testing;

/// <summary>Finds the repository's top folder (the one holding package.json) from the test binaries.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "package.json")) && File.Exists(System.IO.Path.Combine(dir.FullName, "ServerlessRegistry.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root above " + AppContext.BaseDirectory);
    });

    public static string Location => Root.Value;

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);
}
