using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Functions;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// Deliveries that run out of tries (MaxAttempts=2) land in the dead-letter queue, the CLI lists them and sends them
/// again; a malformed message goes there at once. Also the Functions entry point, invoked in-process on the same queue.
/// </summary>
public sealed class DeadLetterTests(TwoTriesServer fixture) : IClassFixture<TwoTriesServer>
{
    [Fact]
    public async Task AlwaysFailingReceiverDeadLettersThenRedeliverAllDeliversTheSameEvent()
    {
        var repository = $"other/poison{Guid.NewGuid():N}"[..20];
        fixture.Receiver.Fail("all", 500);
        string eventId;
        try
        {
            await fixture.Server.Client.PushImageAsync(repository, "v1");
            var dead = await Eventually.GetAsync(() => DeadLettersFor(repository).GetAwaiter().GetResult(), d => d.Count > 0, "the dead letter");
            var letter = JsonDocument.Parse(Assert.Single(dead).Text).RootElement;
            Assert.Equal(1, letter.GetProperty("version").GetInt32());
            Assert.Equal(2, letter.GetProperty("attempt").GetInt32());
            var destination = Assert.Single(letter.GetProperty("destinations").EnumerateArray());
            Assert.Equal("webhook:all", destination.GetProperty("name").GetString());
            // The URL's path and query often carry a secret: the error names the webhook and the URL's authority only.
            var error = destination.GetProperty("error").GetString()!;
            Assert.Equal($"webhook:all ({fixture.Receiver.Url("all").GetLeftPart(UriPartial.Authority)}) answered 500 Internal Server Error", error);
            Assert.DoesNotContain(fixture.Receiver.Url("all").AbsolutePath, error);
            eventId = Assert.Single(letter.GetProperty("events").EnumerateArray()).GetProperty("id").GetString()!;
            Assert.True(fixture.Receiver.Tries["all"] >= 2);
            // The letter is queued before the line is logged, so the line may trail it.
            await Eventually.GetAsync(() => fixture.Logs.Lines.Any(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error
                && l.Message.Contains("gave up after 2 tries", StringComparison.Ordinal) && l.Message.Contains(eventId, StringComparison.Ordinal)),
                logged => logged, "the gave-up line");

            var failed = await CliAsync("events", "failed");
            Assert.Equal(0, failed.Code);
            var line = Assert.Single(failed.Output.Split('\n'), l => l.Contains(eventId, StringComparison.Ordinal));
            Assert.Contains($"webhook:all  2 tries  last error: {error}", line);
            Assert.Contains($"{eventId} push {repository}:v1", line);
        }
        finally
        {
            fixture.Receiver.Fail("all", 200);
        }

        var redeliver = await CliAsync("events", "redeliver", "--all");
        Assert.Equal(0, redeliver.Code);
        Assert.Contains("to webhook:all; the events keep their ids.", redeliver.Output);

        var delivered = await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository), e => e.Count >= 1, "the redelivered event");
        Assert.Equal(eventId, delivered[0].GetProperty("id").GetString());
        Assert.Empty(await DeadLettersFor(repository));
        var again = await CliAsync("events", "redeliver", "--id", eventId);
        Assert.Equal(1, again.Code);
        Assert.Equal($"events redeliver: no failed delivery has the id '{eventId}'; 'events failed' lists them.", again.Error.Trim());
    }

    [Fact]
    public async Task MalformedMessageGoesStraightToTheDeadLetterQueue()
    {
        var text = "{\"version\":99,\"note\":\"" + Guid.NewGuid() + "\"}";
        await fixture.QueueStore.SendAsync(fixture.Queues.Live, text, TimeSpan.Zero, default);
        fixture.Server.Services.GetRequiredService<EventSignal>().Notify();
        await fixture.DrainedAsync();

        var letters = await fixture.QueueStore.PeekAsync(fixture.Queues.DeadLetter, 32, default);
        var letter = Assert.Single(letters, m => m.Text == text);
        Assert.Contains(fixture.Logs.Lines, l => l.Message.Contains("malformed message", StringComparison.Ordinal) && l.Message.Contains("version 99", StringComparison.Ordinal));
        var failed = await CliAsync("events", "failed");
        Assert.Contains($"{letter.Id}  ", failed.Output);
        Assert.Contains("malformed message (version 99 is not 1); it cannot be redelivered", failed.Output);
    }

    [Fact]
    public async Task RedeliverNeedsToBeToldWhich()
    {
        var run = await CliAsync("events", "redeliver");
        Assert.Equal(2, run.Code);
        Assert.Equal("events redeliver: say which: --id <message or event id>, or --all.", run.Error.Trim());
    }

    [Fact]
    public async Task TheQueueFunctionDeliversAMessageAndFollowsUpAFailureWithoutThrowing()
    {
        var repository = $"other/func{Guid.NewGuid():N}"[..18];
        var function = new EventFunctions(fixture.Server.Services.GetRequiredService<EventDelivery>());
        var e = new RegistryEvent
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = DateTimeOffset.UtcNow,
            Action = "push",
            Target = new EventTarget { Digest = OciHttp.Sha256([7]), Repository = repository, Tag = "v1" },
        };
        var message = new DeliveryMessage { Destinations = [new DeliveryTarget("webhook:all")], Events = [e] }.ToJson();

        await function.DeliverEventsAsync(message, 1, default);
        Assert.Equal(e.Id, Assert.Single(fixture.Receiver.Events("all", repository)).GetProperty("id").GetString());

        // Only this try fails, so the follow-up succeeds whenever the loop takes it.
        fixture.Receiver.FailNext("all", 503);
        await function.DeliverEventsAsync(message, 1, default);

        // The follow-up went to the live queue; the loop delivers it with the same id.
        await fixture.DrainedAsync();
        Assert.Equal([e.Id], fixture.Receiver.RefusedEvents("all", repository).Select(x => x.GetProperty("id").GetString()));
        Assert.Equal([e.Id, e.Id], fixture.Receiver.Events("all", repository).Select(x => x.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task TheWorkerRefusesAQueueNameOtherThanTheEventsQueue()
    {
        var names = fixture.Queues;
        var worker = new ServiceCollection().AddSingleton<FunctionsWorkerMarker>().BuildServiceProvider();
        var destinations = fixture.Server.Services.GetRequiredService<EventDestinations>();
        EventsWorkerCheck Check(IServiceProvider services, string? queue) => new(services,
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [EventFunctions.QueueNameSetting] = queue }).Build(), destinations, names);

        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => Check(worker, "events").StartAsync(default));
        Assert.Equal($"EventsQueueName is 'events' but events are queued on '{names.Live}' (the Storage:Prefix followed by 'events'); " +
            $"set the app setting EventsQueueName={names.Live}, or configure no event destinations.", wrong.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Check(worker, null).StartAsync(default));
        await Check(worker, names.Live).StartAsync(default);
        await Check(new ServiceCollection().BuildServiceProvider(), "events").StartAsync(default);
    }

    private async Task<List<Core.Storage.QueuedMessage>> DeadLettersFor(string repository) =>
        [.. (await fixture.QueueStore.PeekAsync(fixture.Queues.DeadLetter, 32, default)).Where(m => m.Text.Contains(repository, StringComparison.Ordinal))];

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        var settings = (await Azurite.GetAsync()).RegistrySettings(fixture.Server.Prefix).Select(kv => $"--{kv.Key}={kv.Value}");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegistryCli.RunAsync([.. args, .. settings], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
