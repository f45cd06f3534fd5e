using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>Reads the deployment files of the repository (host.json, function folders, infra/, azure.yaml) as text or JSON.</summary>
internal static partial class RepoFiles
{
    public static string FunctionsFolder => RepoRoot.Combine("src", "ServerlessRegistry", "Functions");

    public static string Text(params string[] path) => File.ReadAllText(RepoRoot.Combine(path));

    public static JsonElement Json(params string[] path)
    {
        using var document = JsonDocument.Parse(Text(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    /// <summary>Every .bicep file under infra/, by path relative to the repository.</summary>
    public static IReadOnlyDictionary<string, string> Bicep() =>
        Directory.EnumerateFiles(RepoRoot.Combine("infra"), "*.bicep", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(RepoRoot.Location, p), File.ReadAllText);

    /// <summary>The keys of a top-level <c>var name = { … }</c> object in a Bicep file, in order.</summary>
    public static IReadOnlyList<string> ObjectVarKeys(string bicep, string name)
    {
        var body = ObjectVarBody(bicep, name);
        return [.. KeyLine().Matches(body).Select(m => m.Groups[1].Value)];
    }

    /// <summary>The value expression of one key inside a <c>var name = { … }</c> object.</summary>
    public static string ObjectVarValue(string bicep, string name, string key)
    {
        var match = Regex.Match(ObjectVarBody(bicep, name), $@"^\s*{Regex.Escape(key)}:\s*(.+?)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} has no key {key}");
        return match.Groups[1].Value;
    }

    private static string ObjectVarBody(string bicep, string name)
    {
        var start = bicep.IndexOf($"var {name} = {{", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no 'var {name} = {{' in the Bicep");
        var depth = 0;
        for (var i = bicep.IndexOf('{', start); i < bicep.Length; i++)
        {
            depth += bicep[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return bicep[(bicep.IndexOf('{', start) + 1)..i];
            }
        }

        throw new InvalidOperationException($"'var {name}' is not closed");
    }

    /// <summary>Removes // and /* */ comments and the contents of '…' strings, so structural checks see only code.</summary>
    public static string CodeOnly(string bicep)
    {
        var code = new System.Text.StringBuilder(bicep.Length);
        for (var i = 0; i < bicep.Length; i++)
        {
            if (bicep[i] == '/' && i + 1 < bicep.Length && bicep[i + 1] == '/')
            {
                while (i < bicep.Length && bicep[i] != '\n')
                {
                    i++;
                }

                code.Append('\n');
            }
            else if (bicep[i] == '/' && i + 1 < bicep.Length && bicep[i + 1] == '*')
            {
                i = bicep.IndexOf("*/", i + 2, StringComparison.Ordinal) + 1;
                Assert.True(i > 0, "unclosed /* comment");
            }
            else if (bicep[i] == '\'')
            {
                // Bicep escapes a quote inside a string as \'.
                for (i++; i < bicep.Length && bicep[i] != '\''; i++)
                {
                    i += bicep[i] == '\\' ? 1 : 0;
                }

                Assert.True(i < bicep.Length, "unclosed string");
                code.Append("''");
            }
            else
            {
                code.Append(bicep[i]);
            }
        }

        return code.ToString();
    }

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*):", RegexOptions.Multiline)]
    private static partial Regex KeyLine();
}
