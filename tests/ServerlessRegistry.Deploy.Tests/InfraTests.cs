using System.Reflection;
using System.Text.Json;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// infra/ compiled with the real Bicep CLI: it builds and lints clean, and the compiled ARM template (not the Bicep
/// text) has the Flex plan, the dotnet-isolated 10.0 runtime, the identity, no shared keys, the roles, Application
/// Insights; evaluated by the CLI (`bicep snapshot`), it sets exactly the app settings the program and the host read.
/// </summary>
public sealed class InfraTests
{
    /// <summary>main.bicep with every optional parameter at its default.</summary>
    internal const string DefaultParameters = "defaults.bicepparam";

    /// <summary>main.bicep with mirror rules, pre-fetch, eviction and a Key Vault (<see cref="MirrorSettingsTests"/>).</summary>
    internal const string MirrorParameters = "mirror.bicepparam";

    /// <summary>main.bicep with an Event Grid topic for the registry's events (<see cref="EventsInfraTests"/>).</summary>
    internal const string EventGridParameters = "eventgrid.bicepparam";

    /// <summary>main.bicep with webhooks, a replication rule, pull events and a Key Vault (<see cref="EventsSettingsTests"/>).</summary>
    internal const string EventsParameters = "events.bicepparam";

    /// <summary>Built-in "Key Vault Secrets User".</summary>
    internal const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    internal static readonly JsonElement Main = BicepCli.MainTemplate.Template;

    /// <summary>Built-in role definition ids, as documented.</summary>
    internal static readonly Dictionary<string, string> DocumentedRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["db58b8e5-c6ad-4a2a-8342-4190687cbf4a"] = "Storage Blob Delegator",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["d5a91429-5739-47e2-a06b-3470a27159e7"] = "EventGrid Data Sender",
        [KeyVaultSecretsUser] = "Key Vault Secrets User",
    };

    /// <summary>Settings for the Functions host and the platform rather than for the registry.</summary>
    private static readonly string[] HostSettings =
    [
        "AzureWebJobsStorage__credential", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri", "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", "AzureWebJobsDisableHomepage",
        // The events queue trigger's queue name (%EventsQueueName%) and connection ("EventsQueue").
        "EventsQueueName", "EventsQueue__queueServiceUri", "EventsQueue__credential",
    ];

    /// <summary>Flex Consumption rejects or ignores these; an account key would not work with shared-key access off.</summary>
    private static readonly string[] NeverSet =
    [
        "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "WEBSITE_TIME_ZONE", "TZ",
    ];

    [Fact]
    public void InfraBuildsAndLintsWithoutDiagnostics()
    {
        var compiled = BicepCli.MainTemplate;
        Assert.Equal("", compiled.BuildOutput.Trim());
        Assert.Equal(0, compiled.LintExitCode);
        Assert.Equal("", compiled.LintOutput.Trim());
    }

    [Fact]
    public void FunctionAppIsDotnetIsolatedTenOnFlexConsumptionWithItsOwnIdentity()
    {
        var plan = Resource("function", "Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.True(plan.GetProperty("properties").GetProperty("reserved").GetBoolean());

        var site = Resource("function", "Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.Equal("SystemAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        var properties = site.GetProperty("properties");
        Assert.True(properties.GetProperty("httpsOnly").GetBoolean());
        var config = properties.GetProperty("functionAppConfig");
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        var deployment = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("blobContainer", deployment.GetProperty("type").GetString());
        Assert.Equal("SystemAssignedIdentity", deployment.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Contains("parameters('deploymentContainerName')", deployment.GetProperty("value").GetString(), StringComparison.Ordinal);
        // azd finds the app by this tag; it must equal the service name in azure.yaml.
        Assert.Contains("createObject('azd-service-name', variables('serviceName'))", site.GetProperty("tags").GetString(), StringComparison.Ordinal);
        Assert.Equal("registry", Module("function").GetProperty("variables").GetProperty("serviceName").GetString());
        Assert.False(properties.GetProperty("siteConfig").TryGetProperty("appSettings", out _), "app settings live in one place: the appsettings resource");
    }

    [Theory]
    [InlineData(DefaultParameters)]
    [InlineData(MirrorParameters)]
    [InlineData(EventGridParameters)]
    [InlineData(EventsParameters)]
    public void AppSettingsAreExactlyTheKeysTheProgramAndTheHostRead(string parameters)
    {
        var settings = AppSettingsOf(BicepCli.Snapshot(parameters)).Keys.ToList();
        foreach (var key in AzureSettings.Keys)
        {
            Assert.Contains(key.AppSetting, settings);
        }

        // And the other way: a setting that is neither the host's nor a key the program reads is a typo or a leftover.
        // The mirror's and the events' keys are optional (and the mirror's indexed), so they are checked against the
        // options class they bind to.
        var known = AzureSettings.Keys.Select(k => k.AppSetting).Concat(HostSettings).ToHashSet();
        Assert.All(settings, s => Assert.True(known.Contains(s) || OptionsBinding.Binds<MirrorOptions>("Mirror", s)
            || OptionsBinding.Binds<EventsOptions>("Events", s), $"{s} is read by nobody"));
        Assert.All(NeverSet.Concat(AzureSettings.Forbidden.Select(k => k.Replace(":", "__", StringComparison.Ordinal))),
            s => Assert.DoesNotContain(s, settings));
    }

    [Fact]
    public void AppSettingsUseIdentitiesAndThePublicHostName()
    {
        var settings = AppSettingsOf(BicepCli.Snapshot(DefaultParameters));
        var resourceGroup = $"/subscriptions/{BicepCli.SubscriptionId}/resourceGroups/rg-test/providers/";
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Matches($@"^\[reference\('{resourceGroup}Microsoft\.Storage/storageAccounts/st[a-z0-9]+', '[^']+'\)\.primaryEndpoints\.blob\]$",
            settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Matches($@"^\[reference\('{resourceGroup}Microsoft\.Insights/components/appi-[a-z0-9]+', '[^']+'\)\.ConnectionString\]$",
            settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal("true", settings["Auth__Enabled"]);
        Assert.Equal(BicepCli.TenantId, settings["Auth__Entra__TenantIds__0"]);
        Assert.Equal("registry", settings["Storage__Prefix"]);
        Assert.Equal("", settings["Auth__AnonymousPullPrefixes"]);
        // No public URL configured: the app's own https host name.
        Assert.Matches($@"^\[format\('https://\{{0}}', reference\('{resourceGroup}Microsoft\.Web/sites/func-[a-z0-9]+', '[^']+'\)\.defaultHostName\)\]$",
            settings["Registry__PublicUrl"]);
        // The audience is the app registration's client id: the appId of the Graph resource "app" in entra.bicep.
        Assert.Equal("[reference('app').appId]", settings["Auth__Entra__Audiences__0"]);
    }

    [Fact]
    public void HostRequestBodyLimitIsTheLargestLayer()
    {
        Assert.Equal(AzureSettings.LargestLayerBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AppSettingsOf(BicepCli.Snapshot(DefaultParameters))["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"]);
    }

    [Fact]
    public void StorageAccountAcceptsOnlyEntraOverTls12()
    {
        var properties = Resource("storage", "Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.True(properties.GetProperty("defaultToOAuthAuthentication").GetBoolean());
        Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
        Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean());
    }

    [Fact]
    public void StorageCreatesTheRegistrysContainerAndEveryTableOfTheLayout()
    {
        var storage = Module("storage");
        Assert.Equal("registry", storage.GetProperty("parameters").GetProperty("registryPrefix").GetProperty("defaultValue").GetString());
        var suffixes = storage.GetProperty("variables").GetProperty("registryTableSuffixes").EnumerateArray().Select(s => s.GetString()!).ToHashSet();
        var layout = new StorageLayout("registry");
        var tables = typeof(StorageLayout).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name.EndsWith("Table", StringComparison.Ordinal) && p.PropertyType == typeof(string))
            .Select(p => (string)p.GetValue(layout)!).ToList();
        Assert.NotEmpty(tables);
        Assert.All(tables, t => Assert.Contains(t["registry".Length..], suffixes));
        Assert.Equal("[format('{0}/{1}/{2}', format('st{0}', parameters('resourceToken')), 'default', parameters('registryPrefix'))]",
            Resources(storage).Single(r => r.GetProperty("type").GetString() == "Microsoft.Storage/storageAccounts/blobServices/containers"
                && r.GetProperty("name").GetString()!.Contains("registryPrefix", StringComparison.Ordinal)).GetProperty("name").GetString());
    }

    [Fact]
    public void RolesAreTheDocumentedGuidsGrantedToTheFunctionAppsIdentity()
    {
        var rbac = Module("rbac");
        var variables = rbac.GetProperty("variables");
        var storageRoles = variables.GetProperty("roles").EnumerateObject().Select(p => DocumentedRoles.GetValueOrDefault(p.Value.GetString()!)).ToHashSet();
        Assert.Equal(new HashSet<string?> { "Storage Blob Data Owner", "Storage Blob Data Contributor", "Storage Blob Delegator",
            "Storage Table Data Contributor", "Storage Queue Data Contributor" }, storageRoles);
        Assert.Equal("Monitoring Metrics Publisher", DocumentedRoles[variables.GetProperty("monitoringMetricsPublisher").GetString()!]);

        var assignments = Resources(rbac).Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").ToList();
        Assert.Equal(2, assignments.Count);
        Assert.All(assignments, a =>
        {
            Assert.Equal("[parameters('principalId')]", a.GetProperty("properties").GetProperty("principalId").GetString());
            Assert.Equal("ServicePrincipal", a.GetProperty("properties").GetProperty("principalType").GetString());
        });
        // Storage roles on the account (Get User Delegation Key is an account-scope action), one per role in the map.
        var storage = assignments.Single(a => a.TryGetProperty("copy", out _));
        Assert.Equal("[length(items(variables('roles')))]", storage.GetProperty("copy").GetProperty("count").GetString());
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", storage.GetProperty("scope").GetString());
        Assert.Equal("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', items(variables('roles'))[copyIndex()].value)]",
            storage.GetProperty("properties").GetProperty("roleDefinitionId").GetString());
        var telemetry = assignments.Single(a => !a.TryGetProperty("copy", out _));
        Assert.Equal("[resourceId('Microsoft.Insights/components', parameters('appInsightsName'))]", telemetry.GetProperty("scope").GetString());
        Assert.Equal("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('monitoringMetricsPublisher'))]",
            telemetry.GetProperty("properties").GetProperty("roleDefinitionId").GetString());

        // The principal is the function app's system-assigned identity.
        Assert.Equal("[reference('function').outputs.principalId.value]",
            ModuleDeployment("rbac").GetProperty("properties").GetProperty("parameters").GetProperty("principalId").GetProperty("value").GetString());
        Assert.Contains(".identity.principalId]", Module("function").GetProperty("outputs").GetProperty("principalId").GetProperty("value").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MonitoringIsApplicationInsightsOnLogAnalyticsWithoutLocalAuth()
    {
        var monitoring = Module("monitoring");
        Assert.Single(Resources(monitoring), r => r.GetProperty("type").GetString() == "Microsoft.OperationalInsights/workspaces");
        var component = Resource("monitoring", "Microsoft.Insights/components").GetProperty("properties");
        Assert.True(component.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Contains("Microsoft.OperationalInsights/workspaces", component.GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AzdBuildsTheFunctionsProjectItself()
    {
        var yaml = File.ReadAllLines(RepoRoot.Combine("azure.yaml")).Select(l => l.Trim()).ToList();
        Assert.Contains("host: function", yaml);
        Assert.Contains("language: dotnet", yaml);
        var project = yaml.Single(l => l.StartsWith("project: ", StringComparison.Ordinal))["project: ".Length..];
        Assert.True(File.Exists(Path.Combine(RepoRoot.Location, project, "ServerlessRegistry.Functions.csproj")), project);
        Assert.DoesNotContain(yaml, l => l.StartsWith("dist:", StringComparison.Ordinal) || l.StartsWith("prepackage:", StringComparison.Ordinal));
    }

    /// <summary>The app settings of a snapshot's one appsettings resource, as evaluated values.</summary>
    internal static Dictionary<string, string> AppSettingsOf(JsonElement snapshot)
    {
        var settings = snapshot.EnumerateArray().Single(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config");
        Assert.EndsWith("/appsettings", settings.GetProperty("name").GetString(), StringComparison.Ordinal);
        return settings.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    /// <summary>The resources of type <paramref name="type"/> in a snapshot.</summary>
    internal static IEnumerable<JsonElement> OfType(JsonElement snapshot, string type) =>
        snapshot.EnumerateArray().Where(r => r.GetProperty("type").GetString() == type);

    internal static JsonElement ModuleDeployment(string name) =>
        Resources(Main).Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == name);

    internal static JsonElement Module(string name) => ModuleDeployment(name).GetProperty("properties").GetProperty("template");

    internal static JsonElement Resource(string module, string type) =>
        Resources(Module(module)).Single(r => r.GetProperty("type").GetString() == type);

    /// <summary>A template's resources: an array, or (language version 2.0, with extensions) an object by symbolic name.</summary>
    internal static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array ? resources.EnumerateArray() : resources.EnumerateObject().Select(p => p.Value);
    }
}
