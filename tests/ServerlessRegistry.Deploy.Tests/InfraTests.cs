using System.Reflection;
using System.Text.RegularExpressions;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The Bicep cannot be compiled or deployed here (no Bicep CLI package on this machine's feed), so these tests read
/// it as text: resources and properties, role GUIDs, and the app settings against the keys the program reads.
/// </summary>
public sealed class InfraTests
{
    private static readonly string Function = RepoFiles.Text("infra", "app", "function.bicep");
    private static readonly string Storage = RepoFiles.Text("infra", "app", "storage.bicep");

    /// <summary>Built-in role definition ids, as documented (notes/azure-functions-custom-handler.md §11).</summary>
    private static readonly Dictionary<string, string> DocumentedRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["db58b8e5-c6ad-4a2a-8342-4190687cbf4a"] = "Storage Blob Delegator",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
    };

    /// <summary>Settings for the Functions host and the platform rather than for the registry.</summary>
    private static readonly string[] HostSettings =
    [
        "AzureWebJobsStorage__credential", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", "AzureWebJobsDisableHomepage",
    ];

    [Fact]
    public void EveryKeyTheProgramReadsInAzureIsAnAppSetting()
    {
        var settings = RepoFiles.ObjectVarKeys(Function, "appSettings");
        foreach (var key in AzureSettings.Keys)
        {
            Assert.Contains(key.AppSetting, settings);
        }

        // And the other way: a Bicep setting that is neither the host's nor a key the program reads is a typo.
        var known = AzureSettings.Keys.Select(k => k.AppSetting).Concat(HostSettings).ToHashSet();
        Assert.All(settings, s => Assert.Contains(s, known));
        Assert.Equal(settings.Count, settings.Distinct().Count());
    }

    [Fact]
    public void AppSettingsUseIdentitiesNotKeys()
    {
        var settings = RepoFiles.ObjectVarKeys(Function, "appSettings");
        Assert.Equal("'managedidentity'", RepoFiles.ObjectVarValue(Function, "appSettings", "AzureWebJobsStorage__credential"));
        Assert.Equal("'Authorization=AAD'", RepoFiles.ObjectVarValue(Function, "appSettings", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"));
        Assert.Equal("'true'", RepoFiles.ObjectVarValue(Function, "appSettings", "Auth__Enabled"));
        Assert.Equal("tenantId", RepoFiles.ObjectVarValue(Function, "appSettings", "Auth__Entra__TenantIds__0"));
        Assert.Equal("audience", RepoFiles.ObjectVarValue(Function, "appSettings", "Auth__Entra__Audiences__0"));
        Assert.DoesNotContain("AzureWebJobsStorage", settings);
        foreach (var forbidden in AzureSettings.Forbidden.Select(k => k.Replace(":", "__", StringComparison.Ordinal))
                     .Concat(["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
                         "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_TIME_ZONE"]))
        {
            // Flex rejects or ignores these; an account key would not work with shared-key access off.
            Assert.DoesNotContain(forbidden, settings);
        }
    }

    [Fact]
    public void RequestBodyLimitIsTheLargestLayer()
    {
        Assert.Equal("largestLayerBytes", RepoFiles.ObjectVarValue(Function, "appSettings", "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"));
        Assert.Contains($"var largestLayerBytes = '{AzureSettings.LargestLayerBytes}'", Function, StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionAppIsFlexConsumptionCustomRuntimeWithItsOwnIdentity()
    {
        Assert.Matches(@"tier: 'FlexConsumption'\s+name: 'FC1'", Function);
        Assert.Matches(@"runtime: \{\s+name: 'custom'\s+version: '1.0'\s+\}", Function);
        Assert.Matches(@"identity: \{\s+type: 'SystemAssigned'\s+\}", Function);
        Assert.Matches(@"type: 'blobContainer'[\s\S]+?authentication: \{\s+type: 'SystemAssignedIdentity'", Function);
        Assert.Contains("maximumInstanceCount: maximumInstanceCount", Function, StringComparison.Ordinal);
        Assert.Contains("instanceMemoryMB: instanceMemoryMB", Function, StringComparison.Ordinal);
        Assert.Contains("kind: 'functionapp,linux'", Function, StringComparison.Ordinal);
        Assert.Contains("httpsOnly: true", Function, StringComparison.Ordinal);
        Assert.Matches(@"reserved: true", Function);
    }

    [Fact]
    public void StorageAccountAcceptsOnlyEntraOverTls12()
    {
        Assert.Contains("allowSharedKeyAccess: false", Storage, StringComparison.Ordinal);
        Assert.Contains("supportsHttpsTrafficOnly: true", Storage, StringComparison.Ordinal);
        Assert.Contains("minimumTlsVersion: 'TLS1_2'", Storage, StringComparison.Ordinal);
        Assert.Contains("allowBlobPublicAccess: false", Storage, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageCreatesTheRegistrysContainerAndEveryTableOfTheLayout()
    {
        var prefix = Regex.Match(Storage, @"param registryPrefix string = '([a-z0-9]+)'").Groups[1].Value;
        Assert.Equal("registry", prefix);
        Assert.Equal("registryPrefix", RepoFiles.ObjectVarValue(Function, "appSettings", "Storage__Prefix"));
        var suffixes = Regex.Match(Storage, @"var registryTableSuffixes = \[([^\]]*)\]").Groups[1].Value
            .Split(',').Select(s => s.Trim().Trim('\'')).ToHashSet();
        var layout = new StorageLayout(prefix);
        var tables = typeof(StorageLayout).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name.EndsWith("Table", StringComparison.Ordinal) && p.PropertyType == typeof(string))
            .Select(p => (string)p.GetValue(layout)!).ToList();
        Assert.NotEmpty(tables);
        Assert.All(tables, t => Assert.Contains(t[prefix.Length..], suffixes));
        Assert.Equal(prefix, layout.Container);
        Assert.Matches(@"name: registryPrefix", Storage);
        Assert.Contains("name: '${registryPrefix}${suffix}'", Storage, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleAssignmentsUseTheDocumentedGuids()
    {
        var rbac = RepoFiles.Text("infra", "app", "rbac.bicep");
        var guids = Regex.Matches(rbac, @"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'").Select(m => m.Groups[1].Value).ToList();
        Assert.All(guids, g => Assert.True(DocumentedRoles.ContainsKey(g), $"{g} is not a documented role"));
        foreach (var (role, name) in new[] { ("storageBlobDataOwner", "Storage Blob Data Owner"), ("storageBlobDataContributor", "Storage Blob Data Contributor"),
                     ("storageBlobDelegator", "Storage Blob Delegator"), ("storageTableDataContributor", "Storage Table Data Contributor") })
        {
            var guid = Regex.Match(rbac, $@"{role}: '([0-9a-f-]+)'").Groups[1].Value;
            Assert.Equal(name, DocumentedRoles.GetValueOrDefault(guid));
        }

        Assert.Equal("Monitoring Metrics Publisher", DocumentedRoles[Regex.Match(rbac, @"var monitoringMetricsPublisher = '([0-9a-f-]+)'").Groups[1].Value]);
        // Get User Delegation Key is an account-scope action: every storage role sits on the account.
        Assert.Contains("scope: account", rbac, StringComparison.Ordinal);
        Assert.Contains("principalType: 'ServicePrincipal'", rbac, StringComparison.Ordinal);
        Assert.Contains("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)", rbac, StringComparison.Ordinal);
    }

    [Fact]
    public void MonitoringIsApplicationInsightsOnLogAnalyticsWithoutLocalAuth()
    {
        var monitoring = RepoFiles.Text("infra", "app", "monitoring.bicep");
        Assert.Contains("'Microsoft.OperationalInsights/workspaces@", monitoring, StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Insights/components@", monitoring, StringComparison.Ordinal);
        Assert.Contains("WorkspaceResourceId: workspace.id", monitoring, StringComparison.Ordinal);
        Assert.Contains("DisableLocalAuth: true", monitoring, StringComparison.Ordinal);
    }
}
