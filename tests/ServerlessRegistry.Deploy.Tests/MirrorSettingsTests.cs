using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The pull-through cache's settings as `azd up` deploys them: infra/main.bicep with the rules, pre-fetch entries,
/// eviction age and Key Vault of Fixtures/bicep/mirror.bicepparam, evaluated by the real Bicep CLI (`bicep snapshot`),
/// give exactly the expected Mirror__ app settings, and the program accepts them; the compiled template and
/// infra/main.parameters.json carry the parameters from azd's environment to those settings.
/// </summary>
public sealed class MirrorSettingsTests
{
    private const string VaultId = "/subscriptions/" + BicepCli.SubscriptionId + "/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-mirror";

    private static JsonElement Mirror => BicepCli.Snapshot(InfraTests.MirrorParameters);

    [Fact]
    public void RulesPrefetchAndEvictionBecomeExactlyTheseSettings()
    {
        var expected = new Dictionary<string, string>
        {
            ["Mirror__Rules__0__Local"] = "docker.io/*",
            ["Mirror__Rules__0__Upstream"] = "https://registry-1.docker.io/*",
            ["Mirror__Rules__0__Username"] = "puller",
            ["Mirror__Rules__0__Password"] = "@Microsoft.KeyVault(SecretUri=https://kv-mirror.vault.azure.net/secrets/docker-hub)",
            ["Mirror__Rules__0__TagCheckInterval"] = "00:10:00",
            ["Mirror__Rules__0__Timeout"] = "00:00:20",
            // Empty optional fields set nothing: no Namespace, Username, Password or TagCheckInterval keys.
            ["Mirror__Rules__1__Local"] = "ghcr.io/*",
            ["Mirror__Rules__1__Upstream"] = "ghcr.io/*",
            ["Mirror__Rules__2__Local"] = "hub/nginx",
            ["Mirror__Rules__2__Upstream"] = "docker.io/library/nginx",
            ["Mirror__Rules__2__Namespace"] = "docker.io",
            ["Mirror__Prefetch__0__Repository"] = "docker.io/library/alpine",
            ["Mirror__Prefetch__0__Tags__0"] = "3.*",
            ["Mirror__Prefetch__0__Tags__1"] = "latest",
            ["Mirror__Prefetch__1__Repository"] = "hub/nginx",
            ["Mirror__Prefetch__1__Tags__0"] = "1.27",
            ["Mirror__EvictUnpulledAfter"] = "90.00:00:00",
        };

        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), MirrorSettings().OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void MirrorSettingsAreAddedToTheOthersNotInsteadOfThem()
    {
        var settings = InfraTests.AppSettingsOf(Mirror);
        Assert.Equal("true", settings["Auth__Enabled"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(InfraTests.AppSettingsOf(BicepCli.Snapshot(InfraTests.DefaultParameters)).Keys.Order(StringComparer.Ordinal),
            settings.Keys.Where(k => !k.StartsWith("Mirror__", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ProgramAcceptsTheDeployedSettings()
    {
        // As the platform hands them to the worker: environment variables, "__" read as ":". The Key Vault reference
        // stays a string here; in Azure the platform swaps in the secret before the worker starts.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(MirrorSettings().Select(p => KeyValuePair.Create(p.Key.Replace("__", ":", StringComparison.Ordinal), (string?)p.Value)))
            .Build();
        using var services = new ServiceCollection().AddMirror(configuration).BuildServiceProvider();

        // Value runs the program's start check (MirrorOptionsCheck), which throws on any setting it rejects.
        var options = services.GetRequiredService<IOptions<MirrorOptions>>().Value;
        var rules = services.GetRequiredService<CacheRules>();

        Assert.Equal(TimeSpan.FromDays(90), options.EvictUnpulledAfter);
        Assert.Equal(["3.*", "latest"], options.Prefetch[0].Tags);
        var hub = rules.All.Single(r => r.Local == "docker.io");
        Assert.True(hub.HasCredentials);
        Assert.Equal(TimeSpan.FromMinutes(10), hub.TagCheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), hub.Timeout);
        var ghcr = rules.All.Single(r => r.Local == "ghcr.io");
        Assert.False(ghcr.HasCredentials);
        Assert.Equal("ghcr.io", ghcr.Namespace);
        Assert.Equal(new CacheRuleSettings().Timeout, ghcr.Timeout);
        Assert.Equal("library/nginx", rules.Match("hub/nginx")?.Repository);
    }

    [Fact]
    public void AppIdentityReadsTheNamedVaultsSecrets()
    {
        var assignment = Mirror.EnumerateArray().Single(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
            && r.GetProperty("id").GetString()!.Contains(VaultId + "'", StringComparison.Ordinal));
        var properties = assignment.GetProperty("properties");
        Assert.Equal($"/subscriptions/{BicepCli.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{InfraTests.KeyVaultSecretsUser}",
            properties.GetProperty("roleDefinitionId").GetString());
        Assert.Equal("ServicePrincipal", properties.GetProperty("principalType").GetString());
        // The function app's system-assigned identity.
        Assert.Matches(@"^\[reference\('/subscriptions/[^']+/resourceGroups/rg-test/providers/Microsoft\.Web/sites/func-[a-z0-9]+', '[^']+', 'full'\)\.identity\.principalId\]$",
            properties.GetProperty("principalId").GetString());
    }

    [Fact]
    public void WithoutMirrorParametersNoMirrorSettingOrVaultRole()
    {
        var defaults = BicepCli.Snapshot(InfraTests.DefaultParameters);
        Assert.DoesNotContain(InfraTests.AppSettingsOf(defaults).Keys, k => k.StartsWith("Mirror", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(defaults.EnumerateArray(), r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"
            && r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.EndsWith(InfraTests.KeyVaultSecretsUser, StringComparison.Ordinal));
    }

    [Fact]
    public void MirrorParametersDefaultToNothingAndReachTheAppSettings()
    {
        var parameters = InfraTests.Main.GetProperty("parameters");
        foreach (var (name, type, empty) in new[] { ("mirrorRules", "array", "[]"), ("mirrorPrefetch", "array", "[]"), ("mirrorEvictUnpulledAfter", "string", "\"\""),
            ("mirrorKeyVaultName", "string", "\"\""), ("mirrorKeyVaultResourceGroup", "string", "\"\"") })
        {
            var parameter = parameters.GetProperty(name);
            Assert.Equal(type, parameter.GetProperty("type").GetString());
            Assert.Equal(empty, parameter.GetProperty("defaultValue").GetRawText());
            Assert.NotEmpty(parameter.GetProperty("metadata").GetProperty("description").GetString()!);
        }

        // No plain password anywhere: a rule names a Key Vault secret, never holds one.
        var rule = InfraTests.Main.GetProperty("definitions").GetProperty("mirrorRule").GetProperty("properties");
        Assert.True(rule.TryGetProperty("passwordSecretUri", out _));
        Assert.DoesNotContain(rule.EnumerateObject(), p => p.Name.Equals("password", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(parameters.EnumerateObject(), p => p.Name.Contains("password", StringComparison.OrdinalIgnoreCase));

        var function = InfraTests.ModuleDeployment("function-settings").GetProperty("properties").GetProperty("parameters");
        Assert.Equal("[parameters('mirrorRules')]", function.GetProperty("mirrorRules").GetProperty("value").GetString());
        Assert.Equal("[parameters('mirrorPrefetch')]", function.GetProperty("mirrorPrefetch").GetProperty("value").GetString());
        Assert.Equal("[parameters('mirrorEvictUnpulledAfter')]", function.GetProperty("mirrorEvictUnpulledAfter").GetProperty("value").GetString());
        Assert.Contains(".mirrorAppSettings(parameters('mirrorRules'), parameters('mirrorPrefetch'), parameters('mirrorEvictUnpulledAfter')),",
            InfraTests.Resource("function-settings", "Microsoft.Web/sites/config").GetProperty("properties").GetString(), StringComparison.Ordinal);

        // The vault role only when a vault is named, on the vault, in its own resource group.
        var vault = InfraTests.ModuleDeployment("mirror-keyvault");
        Assert.Equal("[not(empty(parameters('mirrorKeyVaultName')))]", vault.GetProperty("condition").GetString());
        Assert.Equal("Key Vault Secrets User", InfraTests.DocumentedRoles[InfraTests.Module("mirror-keyvault").GetProperty("variables").GetProperty("keyVaultSecretsUser").GetString()!]);
    }

    [Fact]
    public void AzdParametersMapEveryMirrorParameterFromTheEnvironment()
    {
        var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("infra", "main.parameters.json"))).RootElement.GetProperty("parameters");
        Assert.All(file.EnumerateObject(), p => Assert.True(InfraTests.Main.GetProperty("parameters").TryGetProperty(p.Name, out _), p.Name + " is not a parameter of main.bicep"));
        string Value(string name) => file.GetProperty(name).GetProperty("value").GetString()!;
        // azd substitutes the variable (or the default after '=') and parses a JSON string for array parameters.
        Assert.Equal("${REGISTRY_MIRROR_RULES=[]}", Value("mirrorRules"));
        Assert.Equal("${REGISTRY_MIRROR_PREFETCH=[]}", Value("mirrorPrefetch"));
        Assert.Equal("${REGISTRY_MIRROR_EVICT_UNPULLED_AFTER=}", Value("mirrorEvictUnpulledAfter"));
        Assert.Equal("${REGISTRY_MIRROR_KEY_VAULT=}", Value("mirrorKeyVaultName"));
        Assert.Equal("${REGISTRY_MIRROR_KEY_VAULT_RESOURCE_GROUP=}", Value("mirrorKeyVaultResourceGroup"));
    }

    [Theory]
    [InlineData("Mirror__Rules__0__Password", true)]
    [InlineData("Mirror__Rules__12__TagCheckInterval", true)]
    [InlineData("Mirror__Prefetch__1__Tags__3", true)]
    [InlineData("Mirror__EvictUnpulledAfter", true)]
    [InlineData("Mirror__Rules__0__Passwrod", false)]
    [InlineData("Mirror__Rules__Local", false)]
    [InlineData("Mirror__Rules__0", false)]
    [InlineData("Mirror__Prefetch__0__Tags", false)]
    [InlineData("Mirror__EvictUnpulledAfter__0", false)]
    [InlineData("Registry__Rules__0__Local", false)]
    public void MirrorKeyCrossCheckFollowsTheOptionsClasses(string appSetting, bool binds) =>
        Assert.Equal(binds, OptionsBinding.Binds<MirrorOptions>("Mirror", appSetting));

    private static Dictionary<string, string> MirrorSettings() =>
        InfraTests.AppSettingsOf(Mirror).Where(p => p.Key.StartsWith("Mirror__", StringComparison.Ordinal)).ToDictionary();
}
