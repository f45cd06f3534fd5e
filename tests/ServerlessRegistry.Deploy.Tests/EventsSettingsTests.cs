using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Events;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The events' webhooks, replication rules and pull flag as `azd up` deploys them: infra/main.bicep with the
/// parameters of Fixtures/bicep/events.bicepparam, evaluated by the real Bicep CLI (`bicep snapshot`), gives exactly the
/// expected Events__ app settings, secrets only as Key Vault references, and the program binds and accepts them; the
/// compiled template and infra/main.parameters.json carry the parameters from azd's environment to those settings.
/// </summary>
public sealed class EventsSettingsTests
{
    private const string Vault = "https://kv-events.vault.azure.net/secrets/";
    private const string VaultId = "/subscriptions/" + BicepCli.SubscriptionId + "/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-events";

    private static JsonElement Events => BicepCli.Snapshot(InfraTests.EventsParameters);

    [Fact]
    public void WebhooksReplicationAndPullsBecomeExactlyTheseSettings()
    {
        var expected = new Dictionary<string, string>
        {
            ["Events__Pulls"] = "true",
            ["Events__Webhooks__0__Name"] = "ci",
            ["Events__Webhooks__0__Url"] = "https://ci.example.com/hooks/registry",
            ["Events__Webhooks__0__Secret"] = $"@Microsoft.KeyVault(SecretUri={Vault}ci-signing)",
            ["Events__Webhooks__0__Actions__0"] = "push",
            ["Events__Webhooks__0__Actions__1"] = "delete",
            ["Events__Webhooks__0__Repositories__0"] = "team/**",
            ["Events__Webhooks__0__Repositories__1"] = "base/*",
            ["Events__Webhooks__0__Headers__X_Source"] = "registry",
            ["Events__Webhooks__0__Headers__Authorization"] = $"@Microsoft.KeyVault(SecretUri={Vault}ci-auth)",
            // Empty optional fields set nothing: no Secret, Actions or Headers keys.
            ["Events__Webhooks__1__Name"] = "audit",
            ["Events__Webhooks__1__Url"] = "https://audit.example.com/in",
            ["Events__Replication__0__Name"] = "backup",
            ["Events__Replication__0__Destination"] = "https://backup.example.com",
            ["Events__Replication__0__Username"] = "replicator",
            ["Events__Replication__0__Password"] = $"@Microsoft.KeyVault(SecretUri={Vault}backup-token)",
            ["Events__Replication__0__Repositories__0"] = "team/**",
            ["Events__Replication__0__Tags__0"] = "v*",
            ["Events__Replication__0__Tags__1"] = "latest",
            ["Events__Replication__0__Namespace"] = "mirror",
        };

        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), EventsSettings().OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void SecretsAreKeyVaultReferencesOnly()
    {
        // Every value naming the vault is a whole Key Vault reference (the platform resolves it with the app's identity)…
        var settings = InfraTests.AppSettingsOf(Events);
        var secrets = settings.Where(p => p.Value.Contains(Vault, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, secrets.Count);
        Assert.All(secrets, p => Assert.Matches(@"^@Microsoft\.KeyVault\(SecretUri=https://kv-events\.vault\.azure\.net/secrets/[a-z-]+\)$", p.Value));

        // …and no parameter or type has a field for a secret itself: a webhook or rule names a secret, never holds one.
        var definitions = InfraTests.Main.GetProperty("definitions");
        var webhook = definitions.GetProperty("eventWebhook").GetProperty("properties");
        var rule = definitions.GetProperty("replicationRule").GetProperty("properties");
        Assert.True(webhook.TryGetProperty("secretUri", out _));
        Assert.True(webhook.TryGetProperty("headerSecretUris", out _));
        Assert.True(rule.TryGetProperty("passwordSecretUri", out _));
        Assert.DoesNotContain(webhook.EnumerateObject(), p => p.Name is "secret" or "Secret");
        Assert.DoesNotContain(rule.EnumerateObject(), p => p.Name.Equals("password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ProgramBindsAndAcceptsTheDeployedSettings()
    {
        // As the platform hands them to the worker: environment variables, "__" read as ":". The Key Vault references
        // stay strings here; in Azure the platform swaps in the secrets before the worker starts.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(InfraTests.AppSettingsOf(Events).Select(p => KeyValuePair.Create(p.Key.Replace("__", ":", StringComparison.Ordinal), (string?)p.Value)))
            .Build();
        using var services = new ServiceCollection().AddEvents(configuration).BuildServiceProvider();

        // Value runs every check AddEvents registers (delivery and webhooks, Event Grid, replication); one throws on a mistake.
        var options = services.GetRequiredService<IOptions<EventsOptions>>().Value;

        Assert.True(options.Pulls);
        Assert.Null(options.EventGrid);
        Assert.Equal(["ci", "audit"], options.Webhooks.Select(w => w.Name));
        var ci = options.Webhooks[0];
        Assert.Equal(new Uri("https://ci.example.com/hooks/registry"), ci.Url);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={Vault}ci-signing)", ci.Secret);
        Assert.Equal(["push", "delete"], ci.Actions);
        Assert.Equal(["team/**", "base/*"], ci.Repositories);
        Assert.Equal(new Dictionary<string, string> { ["X_Source"] = "registry", ["Authorization"] = $"@Microsoft.KeyVault(SecretUri={Vault}ci-auth)" }, ci.Headers);
        var audit = options.Webhooks[1];
        Assert.Null(audit.Secret);
        Assert.Empty(audit.Headers);
        Assert.Empty(audit.Actions);

        var backup = Assert.Single(options.Replication);
        Assert.Equal("backup", backup.Name);
        Assert.Equal(new Uri("https://backup.example.com"), backup.Destination);
        Assert.Equal("replicator", backup.Username);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={Vault}backup-token)", backup.Password);
        Assert.Equal(["team/**"], backup.Repositories);
        Assert.Equal(["v*", "latest"], backup.Tags);
        Assert.Equal("mirror", backup.Namespace);
        // Delivery tuning is not deployed: the program's defaults apply.
        Assert.Equal(new EventsOptions().MaxAttempts, options.MaxAttempts);
    }

    [Fact]
    public void AppIdentityReadsTheNamedVaultsSecrets()
    {
        var assignment = Assert.Single(InfraTests.OfType(Events, "Microsoft.Authorization/roleAssignments"),
            r => r.GetProperty("id").GetString()!.Contains(VaultId + "'", StringComparison.Ordinal));
        Assert.Equal($"/subscriptions/{BicepCli.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{InfraTests.KeyVaultSecretsUser}",
            assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString());
    }

    [Fact]
    public void WithoutEventParametersNoEventsSetting()
    {
        Assert.DoesNotContain(InfraTests.AppSettingsOf(BicepCli.Snapshot(InfraTests.DefaultParameters)).Keys,
            k => k.StartsWith("Events__", StringComparison.Ordinal));
        // The events add to the other settings, they do not replace any.
        Assert.Equal(InfraTests.AppSettingsOf(BicepCli.Snapshot(InfraTests.DefaultParameters)).Keys.Order(StringComparer.Ordinal),
            InfraTests.AppSettingsOf(Events).Keys.Where(k => !k.StartsWith("Events__", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void HeaderThatCannotBeAnAppSettingNameFailsTheDeployment()
    {
        // App Service on Linux drops or refuses '-' and '.' in setting names: better no deployment than a missing header.
        var output = BicepCli.SnapshotFailure("""
            using '../../../../infra/main.bicep'
            param environmentName = 'test'
            param location = 'westeurope'
            param eventWebhooks = [{ name: 'ci', url: 'https://ci.example.com/', headers: { 'X-Api-Key': 'k' } }]
            """);
        Assert.Contains("Webhook 'ci': header 'X-Api-Key' cannot be an app setting name", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EventParametersDefaultToNothingAndReachTheAppSettings()
    {
        var parameters = InfraTests.Main.GetProperty("parameters");
        foreach (var (name, type, empty) in new[] { ("eventWebhooks", "array", "[]"), ("replicationRules", "array", "[]"), ("eventPulls", "bool", "false") })
        {
            var parameter = parameters.GetProperty(name);
            Assert.Equal(type, parameter.GetProperty("type").GetString());
            Assert.Equal(empty, parameter.GetProperty("defaultValue").GetRawText());
            Assert.NotEmpty(parameter.GetProperty("metadata").GetProperty("description").GetString()!);
        }

        var function = InfraTests.ModuleDeployment("function-settings").GetProperty("properties").GetProperty("parameters");
        Assert.Equal("[parameters('eventWebhooks')]", function.GetProperty("eventWebhooks").GetProperty("value").GetString());
        Assert.Equal("[parameters('replicationRules')]", function.GetProperty("replicationRules").GetProperty("value").GetString());
        Assert.Equal("[parameters('eventPulls')]", function.GetProperty("eventPulls").GetProperty("value").GetString());
        Assert.EndsWith(".eventsAppSettings(parameters('eventWebhooks'), parameters('replicationRules'), parameters('eventPulls')))]",
            InfraTests.Resource("function-settings", "Microsoft.Web/sites/config").GetProperty("properties").GetString(), StringComparison.Ordinal);

        // azd substitutes the variable (or the default after '=') and parses a JSON string for array parameters.
        var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("infra", "main.parameters.json"))).RootElement.GetProperty("parameters");
        string Value(string name) => file.GetProperty(name).GetProperty("value").GetString()!;
        Assert.Equal("${REGISTRY_EVENT_WEBHOOKS=[]}", Value("eventWebhooks"));
        Assert.Equal("${REGISTRY_REPLICATION_RULES=[]}", Value("replicationRules"));
        Assert.Equal("${REGISTRY_EVENT_PULLS=false}", Value("eventPulls"));
        // The one vault for every secret keeps its azd name.
        Assert.Equal("${REGISTRY_MIRROR_KEY_VAULT=}", Value("mirrorKeyVaultName"));
    }

    [Theory]
    [InlineData("Events__Webhooks__0__Headers__Authorization", true)]
    [InlineData("Events__Webhooks__3__Repositories__1", true)]
    [InlineData("Events__Replication__0__Password", true)]
    [InlineData("Events__Replication__0__Tags__2", true)]
    [InlineData("Events__Pulls", true)]
    [InlineData("Events__Webhooks__0__Headers", false)]
    [InlineData("Events__Webhooks__0__Headers__Authorization__0", false)]
    [InlineData("Events__Webhooks__Name", false)]
    [InlineData("Events__Replication__0__Pasword", false)]
    public void EventsKeyCrossCheckFollowsTheOptionsClasses(string appSetting, bool binds) =>
        Assert.Equal(binds, OptionsBinding.Binds<EventsOptions>("Events", appSetting));

    private static Dictionary<string, string> EventsSettings() =>
        InfraTests.AppSettingsOf(Events).Where(p => p.Key.StartsWith("Events__", StringComparison.Ordinal)).ToDictionary();
}
