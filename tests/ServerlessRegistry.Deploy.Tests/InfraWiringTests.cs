using System.Text.RegularExpressions;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>How the infra files fit together (modules, parameters, azure.yaml, outputs), and that none holds a secret.</summary>
public sealed class InfraWiringTests
{
    private static readonly string Main = RepoFiles.Text("infra", "main.bicep");

    [Fact]
    public void EveryBicepFileIsBalancedAndEveryModuleExists()
    {
        foreach (var (path, text) in RepoFiles.Bicep())
        {
            var code = RepoFiles.CodeOnly(text);
            Assert.True(code.Count(c => c == '{') == code.Count(c => c == '}'), $"{path}: unbalanced braces");
            Assert.True(code.Count(c => c == '[') == code.Count(c => c == ']'), $"{path}: unbalanced brackets");
            Assert.True(code.Count(c => c == '(') == code.Count(c => c == ')'), $"{path}: unbalanced parentheses");
            Assert.DoesNotContain("br/public:", text, StringComparison.Ordinal);
            foreach (Match module in Regex.Matches(text, @"^module \w+ '([^']+)'", RegexOptions.Multiline))
            {
                var target = Path.Combine(Path.GetDirectoryName(Testing.RepoRoot.Combine(path))!, module.Groups[1].Value);
                Assert.True(File.Exists(target), $"{path}: module {module.Groups[1].Value} does not exist");
            }
        }
    }

    [Fact]
    public void ParametersFileGivesEveryRequiredParameterOfMain()
    {
        var parameters = RepoFiles.Json("infra", "main.parameters.json").GetProperty("parameters");
        var declared = Regex.Matches(Main, @"^param (\w+) \w+( =)?", RegexOptions.Multiline).ToList();
        foreach (var param in declared.Where(m => !m.Groups[2].Success))
        {
            Assert.True(parameters.TryGetProperty(param.Groups[1].Value, out _), $"main.parameters.json lacks {param.Groups[1].Value}");
        }

        foreach (var given in parameters.EnumerateObject())
        {
            Assert.Contains(declared, m => m.Groups[1].Value == given.Name);
        }

        Assert.Equal("${AZURE_ENV_NAME}", parameters.GetProperty("environmentName").GetProperty("value").GetString());
        Assert.Equal("${AZURE_LOCATION}", parameters.GetProperty("location").GetProperty("value").GetString());
        Assert.Contains("targetScope = 'subscription'", Main, StringComparison.Ordinal);
    }

    [Fact]
    public void AzdDeploysThePackageToTheTaggedFunctionApp()
    {
        var yaml = RepoFiles.Text("azure.yaml");
        var service = Regex.Match(yaml, @"^services:\s*\n(?:\s*#[^\n]*\n)*\s{2}(\w+):", RegexOptions.Multiline).Groups[1].Value;
        var tag = Regex.Match(RepoFiles.Text("infra", "app", "function.bicep"), @"var serviceName = '(\w+)'").Groups[1].Value;
        Assert.Equal("registry", service);
        Assert.Equal(service, tag);
        Assert.Contains("'azd-service-name': serviceName", RepoFiles.Text("infra", "app", "function.bicep"), StringComparison.Ordinal);
        Assert.Matches(@"host: function\b", yaml);
        Assert.Matches(@"dist: dist/registry\.zip\b", yaml);
        Assert.Matches(@"run: \./scripts/package\.sh\b", yaml);
        Assert.Matches(@"path: infra\b", yaml);
    }

    [Fact]
    public void MainOutputsTheLoginServer()
    {
        Assert.Matches(new Regex(@"^output REGISTRY_LOGIN_SERVER string = .*function\.outputs\.defaultHostName", RegexOptions.Multiline), Main);
        Assert.Contains("output defaultHostName string = site.properties.defaultHostName", RepoFiles.Text("infra", "app", "function.bicep"), StringComparison.Ordinal);
    }

    [Fact]
    public void EntraAppRegistrationDeclaresTheFourAppRoles()
    {
        var entra = RepoFiles.Text("infra", "app", "entra.bicep");
        Assert.Contains("extension microsoftGraphV1", entra, StringComparison.Ordinal);
        Assert.Contains("microsoftgraph/v1.0", RepoFiles.Text("infra", "bicepconfig.json"), StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Graph/applications@v1.0'", entra, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Graph/servicePrincipals@v1.0'", entra, StringComparison.Ordinal);
        var roles = Regex.Matches(entra, @"\{ id: '([0-9a-f-]{36})', value: '([\w.]+)'").ToList();
        Assert.Equal(["Registry.Pull", "Registry.Push", "Registry.Delete", "Registry.Admin"], roles.Select(r => r.Groups[2].Value));
        Assert.Equal(4, roles.Select(r => r.Groups[1].Value).Distinct().Count());
        Assert.Contains("audience: entra.outputs.clientId", Main, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSecretOrAccountKeyAppearsInInfra()
    {
        var files = Directory.EnumerateFiles(Testing.RepoRoot.Combine("infra"), "*", SearchOption.AllDirectories)
            .Append(Testing.RepoRoot.Combine("azure.yaml"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var pattern in new[]
                     {
                         @"listKeys\(", @"listAccountSas\(", @"listServiceSas\(", @"(?i)AccountKey", @"(?i)DefaultEndpointsProtocol",
                         @"(?i)SharedAccessSignature", @"(?i)primaryKey", @"(?i)InstrumentationKey=", @"(?i)client_?secret", @"(?i)password",
                         @"@secure\(\)", @"(?i)passwordCredentials", @"[A-Za-z0-9+/]{80,}={0,2}",
                     })
            {
                Assert.False(Regex.IsMatch(text, pattern), $"{Path.GetFileName(file)} matches {pattern}");
            }
        }
    }
}
