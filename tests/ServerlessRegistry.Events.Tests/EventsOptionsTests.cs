using Microsoft.Extensions.Options;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Events.Webhooks;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

public sealed class EventsOptionsTests
{
    [Fact]
    public void PullEventsAreOffByDefault() => Assert.False(new EventsOptions().Pulls);

    [Fact]
    public void DefaultsAndAWellFormedWebhookPass() =>
        Assert.Empty(EventsOptionsCheck.Problems(new EventsOptions { Webhooks = [Hook("ci")] }));

    [Theory]
    [InlineData("Events:MaxAttempts must be between 1 and 20; got 0.", "MaxAttempts", "0")]
    [InlineData("Events:MaxAttempts must be between 1 and 20; got 21.", "MaxAttempts", "21")]
    [InlineData("Events:FirstRetryAfter must not be negative; got -00:00:01.", "FirstRetryAfter", "-00:00:01")]
    [InlineData("Events:MaxRetryAfter must not be negative; got -00:00:01.", "MaxRetryAfter", "-00:00:01")]
    [InlineData("Events:DeliveryTimeout must be positive and at most 00:10:00; got 00:00:00.", "DeliveryTimeout", "00:00:00")]
    [InlineData("Events:DeliveryTimeout must be positive and at most 00:10:00; got 00:10:01.", "DeliveryTimeout", "00:10:01")]
    public void DeliverySettingsOutOfRangeAreOneLineEach(string expected, string key, string value)
    {
        var options = new EventsOptions();
        typeof(EventsOptions).GetProperty(key)!.SetValue(options, key == "MaxAttempts" ? int.Parse(value) : TimeSpan.Parse(value));
        Assert.Equal([expected], EventsOptionsCheck.Problems(options));
    }

    [Fact]
    public void EachWebhookMistakeIsOneLineNamingTheKey()
    {
        var options = new EventsOptions
        {
            Webhooks =
            [
                Hook(""),
                Hook("ci"),
                Hook("ci", new Uri("ftp://example.com/hook")),
                Hook("relative", new Uri("/hook", UriKind.Relative)),
                new WebhookOptions { Name = "nourl" },
                new WebhookOptions { Name = "filters", Url = new Uri("https://example.com/"), Actions = ["push", "tag"], Repositories = ["a/***"] },
            ],
        };

        Assert.Equal(
        [
            "Events:Webhooks:0:Name is required (it names the webhook in logs and in 'registry events failed').",
            "Events:Webhooks:2:Name 'ci' is used by another webhook; names must be unique.",
            "Events:Webhooks:2:Url must be an absolute http(s) URL; got 'ftp://example.com/hook'.",
            "Events:Webhooks:3:Url must be an absolute http(s) URL; got '/hook'.",
            "Events:Webhooks:4:Url is required.",
            "Events:Webhooks:5:Actions has 'tag'; the actions are push, pull, mount, delete, fill.",
            "Events:Webhooks:5:Repositories: pattern 'a/***' has '***'; use '*' or '**'.",
        ], EventsOptionsCheck.Problems(options));
    }

    [Fact]
    public void WebhookHeadersMustNotSetWhatTheRegistrySetsAndMustBeTokens()
    {
        var hook = Hook("ci");
        hook.Headers = new()
        {
            ["Authorization"] = "Bearer x",
            ["content-type"] = "text/plain",
            ["Content-Length"] = "1",
            ["Host"] = "example.org",
            ["X-Registry-Signature-256"] = "sha256=0",
            ["Bad Header"] = "x",
            ["X-Ok_Header.1"] = "y",
        };

        Assert.Equal(
        [
            "Events:Webhooks:0:Headers must not set Content-Type; the registry sets it.",
            "Events:Webhooks:0:Headers must not set Content-Length; the registry sets it.",
            "Events:Webhooks:0:Headers must not set Host; the registry sets it.",
            "Events:Webhooks:0:Headers must not set X-Registry-Signature-256; the registry sets it.",
            "Events:Webhooks:0:Headers has 'Bad Header', which is not a valid header name (letters, digits and !#$%&'*+-.^_`|~).",
        ], EventsOptionsCheck.Problems(new EventsOptions { Webhooks = [hook] }));
    }

    [Fact]
    public void TheActionNamesAreOneListIndexedByTheChangeActions() =>
        Assert.Equal(EventActions.All, Enum.GetValues<Api.ChangeAction>().Select(EventPublisher.WireName));

    [Fact]
    public async Task AServerWithABadWebhookRefusesToStart()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => RegistryServer.StartAsync(new Dictionary<string, string?>
        {
            ["Events:Webhooks:0:Name"] = "ci",
            ["Events:Webhooks:0:Url"] = "not a url",
        }));
        Assert.Contains("Events:Webhooks:0:Url must be an absolute http(s) URL; got 'not a url'.", e.Failures);
    }

    [Fact]
    public void BackOffDoublesFromTheFirstRetryUpToTheCap()
    {
        var options = Options.Create(new EventsOptions { FirstRetryAfter = TimeSpan.FromSeconds(10), MaxRetryAfter = TimeSpan.FromSeconds(60) });
        var delivery = new EventDelivery(null!, null!, null!, options, null!);
        Assert.Equal([10, 20, 40, 60, 60], Enumerable.Range(1, 5).Select(a => delivery.RetryAfter(a).TotalSeconds));
    }

    [Fact]
    public void ManyEventsAreSplitIntoMessagesUnderTheLimitKeepingTheirOrder()
    {
        var events = Enumerable.Range(0, 400).Select(i => new RegistryEvent
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = DateTimeOffset.UnixEpoch,
            Action = "push",
            Target = new EventTarget { Digest = "sha256:" + new string('a', 64), Repository = "team/" + new string('r', 100), Tag = "t" + i },
        }).ToList();

        var messages = DeliveryMessage.Split(events, [new DeliveryTarget("webhook:ci")]).ToList();

        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.True(System.Text.Encoding.UTF8.GetByteCount(m.ToJson()) <= Core.Storage.IQueueStore.MaxMessageBytes - DeliveryMessage.ErrorReserveBytes));
        Assert.Equal(events.Select(e => e.Id), messages.SelectMany(m => m.Events).Select(e => e.Id));
        Assert.True(DeliveryMessage.TryParse(messages[0].ToJson(), out var back, out _));
        Assert.Equal(messages[0].Events.Count, back.Events.Count);
    }

    [Fact]
    public void SignatureIsTheHexHmacOfTheBody() =>
        // RFC 4231 test case 2.
        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            WebhookDestination.Signature("Jefe"u8.ToArray(), "what do ya want for nothing?"u8.ToArray()));

    private static WebhookOptions Hook(string name, Uri? url = null) => new() { Name = name, Url = url ?? new Uri("https://example.com/hook") };
}
