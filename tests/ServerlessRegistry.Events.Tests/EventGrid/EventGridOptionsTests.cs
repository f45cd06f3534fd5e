using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events.Tests.EventGrid;

/// <summary>The Events:EventGrid settings as the program checks them at start: one line naming the key per mistake.</summary>
public sealed class EventGridOptionsTests
{
    [Theory]
    [InlineData("Endpoint", "http://topic.westeurope-1.eventgrid.azure.net/api/events",
        "Events:EventGrid:Endpoint must be the topic's https endpoint (https://{topic}.{region}-1.eventgrid.azure.net/api/events); got 'http://topic.westeurope-1.eventgrid.azure.net/api/events'.")]
    [InlineData("Endpoint", "topic/api/events",
        "Events:EventGrid:Endpoint must be the topic's https endpoint (https://{topic}.{region}-1.eventgrid.azure.net/api/events); got 'topic/api/events'.")]
    [InlineData("Actions:0", "tag", "Events:EventGrid:Actions has 'tag'; the actions are push, pull, mount, delete, fill.")]
    [InlineData("Repositories:0", "team/***", "Events:EventGrid:Repositories: pattern 'team/***' has '***'; use '*' or '**'.")]
    [InlineData("Repositories:0", " ", "Events:EventGrid:Repositories: a pattern must not be empty.")]
    public void RefusesAMistakeWithOneLine(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Events:EventGrid:Endpoint"] = "https://topic.westeurope-1.eventgrid.azure.net/api/events" };
        settings["Events:EventGrid:" + key] = value;

        var failure = Assert.Throws<OptionsValidationException>(() => Options(settings));

        Assert.Equal([expected], failure.Failures);
    }

    [Fact]
    public void NamesEveryMistakeOnItsOwnLine()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(new()
        {
            ["Events:EventGrid:Endpoint"] = "https://topic.westeurope-1.eventgrid.azure.net/api/events",
            ["Events:EventGrid:Actions:0"] = "push",
            ["Events:EventGrid:Actions:1"] = "copy",
            ["Events:EventGrid:Repositories:0"] = "team/**",
            ["Events:EventGrid:Repositories:1"] = "a b",
        }));
        Assert.Equal(["Events:EventGrid:Actions has 'copy'; the actions are push, pull, mount, delete, fill.",
            "Events:EventGrid:Repositories: pattern 'a b' contains white space."], failure.Failures);
    }

    [Fact]
    public void RefusesFiltersWithoutATopic()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Events:EventGrid:Actions:0"] = "push" }));
        Assert.Equal(["Events:EventGrid:Endpoint is required when Events:EventGrid:Actions or Repositories are set."], failure.Failures);
    }

    [Fact]
    public void AcceptsATopicWithFilters()
    {
        var options = Options(new()
        {
            ["Events:EventGrid:Endpoint"] = "https://topic.westeurope-1.eventgrid.azure.net/api/events",
            ["Events:EventGrid:Actions:0"] = "Push",
            ["Events:EventGrid:Repositories:0"] = "team/**",
        });
        Assert.Equal("topic.westeurope-1.eventgrid.azure.net", options.EventGrid?.Endpoint?.Host);
    }

    private static EventsOptions Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:AccountName"] = "account" })
            .AddInMemoryCollection(settings)
            .Build();
        using var services = new ServiceCollection().AddLogging().AddRegistry(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<EventsOptions>>().Value;
    }
}
