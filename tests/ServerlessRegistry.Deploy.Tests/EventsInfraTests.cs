using System.Reflection;
using System.Text.Json;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The events feature as `azd up` deploys it: the events queues and the trigger's settings always (the queue function
/// is always indexed), and with eventGrid an Event Grid topic without keys that only the app's identity may publish to,
/// whose endpoint the app reads. Checked on the compiled template and on `bicep snapshot` of Fixtures/bicep.
/// </summary>
public sealed class EventsInfraTests
{
    private const string EventGridDataSender = "d5a91429-5739-47e2-a06b-3470a27159e7";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string ResourceGroup = "/subscriptions/" + BicepCli.SubscriptionId + "/resourceGroups/rg-test/providers/";

    /// <summary>The function app's system-assigned identity, as a snapshot spells it.</summary>
    private const string AppPrincipal = @"\[reference\('" + ResourceGroup + @"Microsoft\.Web/sites/func-[a-z0-9]+', '[^']+', 'full'\)\.identity\.principalId\]";

    private static JsonElement Defaults => BicepCli.Snapshot(InfraTests.DefaultParameters);

    private static JsonElement WithEventGrid => BicepCli.Snapshot(InfraTests.EventGridParameters);

    [Fact]
    public void EventGridIsOffByDefaultAndTheAzdEnvironmentCanTurnItOn()
    {
        var parameter = InfraTests.Main.GetProperty("parameters").GetProperty("eventGrid");
        Assert.Equal("bool", parameter.GetProperty("type").GetString());
        Assert.False(parameter.GetProperty("defaultValue").GetBoolean());
        Assert.NotEmpty(parameter.GetProperty("metadata").GetProperty("description").GetString()!);
        Assert.Equal("[parameters('eventGrid')]", InfraTests.ModuleDeployment("eventgrid").GetProperty("condition").GetString());

        var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("infra", "main.parameters.json"))).RootElement.GetProperty("parameters");
        Assert.Equal("${REGISTRY_EVENT_GRID=false}", file.GetProperty("eventGrid").GetProperty("value").GetString());
        // azd shows the topic to subscribe to.
        Assert.Equal("[if(parameters('eventGrid'), reference('eventGridTopic').outputs.name.value, '')]",
            InfraTests.Main.GetProperty("outputs").GetProperty("REGISTRY_EVENT_GRID_TOPIC").GetProperty("value").GetString());
    }

    [Fact]
    public void WithoutEventGridNoTopicNoSenderRoleNoEndpoint()
    {
        Assert.Empty(InfraTests.OfType(Defaults, "Microsoft.EventGrid/topics"));
        Assert.DoesNotContain(InfraTests.OfType(Defaults, "Microsoft.Authorization/roleAssignments"),
            r => RoleOf(r) == EventGridDataSender);
        Assert.DoesNotContain(InfraTests.AppSettingsOf(Defaults).Keys, k => k.StartsWith("Events__", StringComparison.Ordinal));
    }

    [Fact]
    public void TopicTakesCloudEventsWithEntraTokensOnly()
    {
        var topic = Assert.Single(InfraTests.OfType(WithEventGrid, "Microsoft.EventGrid/topics"));
        Assert.Matches($@"^{ResourceGroup}Microsoft\.EventGrid/topics/evgt-[a-z0-9]{{13}}$", topic.GetProperty("id").GetString());
        var properties = topic.GetProperty("properties");
        Assert.True(properties.GetProperty("disableLocalAuth").GetBoolean());
        Assert.Equal("CloudEventSchemaV1_0", properties.GetProperty("inputSchema").GetString());
        Assert.Equal("Enabled", properties.GetProperty("publicNetworkAccess").GetString());
        Assert.Equal("1.2", properties.GetProperty("minimumTlsVersionAllowed").GetString());
    }

    [Fact]
    public void AppIdentitySendsToTheTopicAndNothingElse()
    {
        var topicId = Assert.Single(InfraTests.OfType(WithEventGrid, "Microsoft.EventGrid/topics")).GetProperty("id").GetString()!;
        var sender = Assert.Single(InfraTests.OfType(WithEventGrid, "Microsoft.Authorization/roleAssignments"), r => RoleOf(r) == EventGridDataSender);
        Assert.Equal("EventGrid Data Sender", InfraTests.DocumentedRoles[RoleOf(sender)]);
        // Scoped to the topic: an extension resource of it.
        Assert.StartsWith($"[extensionResourceId('{topicId}', 'Microsoft.Authorization/roleAssignments', ", sender.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Matches($"^{AppPrincipal}$", sender.GetProperty("properties").GetProperty("principalId").GetString());
        Assert.Equal("ServicePrincipal", sender.GetProperty("properties").GetProperty("principalType").GetString());

        // In the template: the module's one assignment, the variable the documented GUID, the principal the app's.
        var module = InfraTests.Module("eventgrid");
        Assert.Equal(EventGridDataSender, module.GetProperty("variables").GetProperty("eventGridDataSender").GetString());
        Assert.Equal("[reference('function').outputs.principalId.value]",
            InfraTests.ModuleDeployment("eventgrid").GetProperty("properties").GetProperty("parameters").GetProperty("principalId").GetProperty("value").GetString());
    }

    [Fact]
    public void AppReadsTheTopicsEndpoint()
    {
        var topicId = Assert.Single(InfraTests.OfType(WithEventGrid, "Microsoft.EventGrid/topics")).GetProperty("id").GetString()!;
        Assert.Matches($@"^\[reference\('{topicId}', '[^']+'\)\.endpoint\]$", InfraTests.AppSettingsOf(WithEventGrid)["Events__EventGrid__Endpoint"]);
        Assert.True(OptionsBinding.Binds<EventsOptions>("Events", "Events__EventGrid__Endpoint"));
        // Everything else is as without Event Grid.
        Assert.Equal(InfraTests.AppSettingsOf(Defaults).Keys.Order(StringComparer.Ordinal),
            InfraTests.AppSettingsOf(WithEventGrid).Keys.Where(k => k != "Events__EventGrid__Endpoint").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(InfraTests.DefaultParameters)]
    [InlineData(InfraTests.EventGridParameters)]
    public void QueueTriggerReadsTheEventsQueueWithTheAppsIdentity(string parameters)
    {
        var snapshot = BicepCli.Snapshot(parameters);
        var settings = InfraTests.AppSettingsOf(snapshot);
        Assert.Equal(settings["Storage__Prefix"] + "events", settings["EventsQueueName"]);
        Assert.Matches($@"^\[reference\('{ResourceGroup}Microsoft\.Storage/storageAccounts/st[a-z0-9]+', '[^']+'\)\.primaryEndpoints\.queue\]$",
            settings["EventsQueue__queueServiceUri"]);
        Assert.Equal("managedidentity", settings["EventsQueue__credential"]);
        // The identity is system-assigned: no client id to name.
        Assert.False(settings.ContainsKey("EventsQueue__clientId"));

        // Storage Queue Data Contributor (not Reader + Processor: the trigger updates and deletes messages) on the account.
        var queueRole = Assert.Single(InfraTests.OfType(snapshot, "Microsoft.Authorization/roleAssignments"), r => RoleOf(r) == StorageQueueDataContributor);
        Assert.Equal("Storage Queue Data Contributor", InfraTests.DocumentedRoles[StorageQueueDataContributor]);
        Assert.Matches($@"^\[extensionResourceId\('{ResourceGroup}Microsoft\.Storage/storageAccounts/st[a-z0-9]+', ", queueRole.GetProperty("id").GetString());
        Assert.Matches($"^{AppPrincipal}$", queueRole.GetProperty("properties").GetProperty("principalId").GetString());
    }

    [Fact]
    public void StorageCreatesEveryQueueOfTheEventsFeature()
    {
        var queues = InfraTests.OfType(Defaults, "Microsoft.Storage/storageAccounts/queueServices/queues")
            .Select(q => q.GetProperty("name").GetString()!.Split('/')[^1]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(QueuesOfTheCode("registry"), queues);
        Assert.Contains(InfraTests.AppSettingsOf(Defaults)["EventsQueueName"], queues);
        // The Functions host moves a message it gave up on to "{queue}-poison": that queue is one of them too.
        Assert.Contains(InfraTests.AppSettingsOf(Defaults)["EventsQueueName"] + "-poison", queues);
    }

    /// <summary>Every queue name the events feature uses (the string properties of its queue names) for a storage prefix.</summary>
    private static List<string> QueuesOfTheCode(string prefix)
    {
        var type = typeof(EventsOptions).Assembly.GetType("ServerlessRegistry.Events.EventQueues");
        Assert.True(type is not null, "the events feature names its queues in ServerlessRegistry.Events.EventQueues");
        var queues = Activator.CreateInstance(type, new StorageLayout(prefix))!;
        var names = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string))
            .Select(p => (string)p.GetValue(queues)!).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(names);
        return names;
    }

    private static string RoleOf(JsonElement assignment) =>
        assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1];
}
