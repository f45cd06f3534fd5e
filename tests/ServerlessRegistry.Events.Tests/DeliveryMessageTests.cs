using ServerlessRegistry.Events.Delivery;

namespace ServerlessRegistry.Events.Tests;

/// <summary>Reading queue text: anything that is not a usable message is refused with a reason, never an exception.</summary>
public sealed class DeliveryMessageTests
{
    private const string Event = """{"id":"e1","timestamp":"2026-01-01T00:00:00Z","action":"push","target":{"digest":"sha256:a","repository":"team/app"}}""";

    [Theory]
    [InlineData("""{"version":1,"attempt":1,"destinations":null,"events":[EVENT]}""", "no destinations")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":null}""", "no events")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[null],"events":[EVENT]}""", "a destination without a name")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":null}],"events":[EVENT]}""", "a destination without a name")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":[null]}""", "an event without an id")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":[{"id":null,"timestamp":"2026-01-01T00:00:00Z","action":"push","target":{"digest":"","repository":"a"}}]}""", "an event without an id")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":[{"id":"e1","timestamp":"2026-01-01T00:00:00Z","action":"push","target":null}]}""", "event e1 lacks its action, target, repository or digest")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":[{"id":"e1","timestamp":"2026-01-01T00:00:00Z","action":null,"target":{"digest":"","repository":"a"}}]}""", "event e1 lacks its action, target, repository or digest")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":[{"id":"e1","timestamp":"2026-01-01T00:00:00Z","action":"push","target":{"digest":"","repository":null}}]}""", "event e1 lacks its action, target, repository or digest")]
    [InlineData("""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci"}],"events":[{"id":"e1","timestamp":"2026-01-01T00:00:00Z","action":"push","target":{"digest":null,"repository":"a"}}]}""", "event e1 lacks its action, target, repository or digest")]
    [InlineData("""{"version":1,"attempt":0,"destinations":[{"name":"webhook:ci"}],"events":[EVENT]}""", "attempt 0 is not positive")]
    public void NullsAndGapsAreRefusedWithAReason(string text, string expected)
    {
        Assert.False(DeliveryMessage.TryParse(text.Replace("EVENT", Event, StringComparison.Ordinal), out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("{\"version\":1,\"attempt\":\"x\"}")]
    [InlineData("{\"version\":1,\"destinations\":7,\"events\":[]}")]
    [InlineData("{\"version\":1,\"attempt\":99999999999}")]
    public void TextThatIsNoMessageIsRefused(string text)
    {
        Assert.False(DeliveryMessage.TryParse(text, out _, out var problem));
        Assert.NotEmpty(problem);
    }

    [Fact]
    public void AWellFormedMessageIsRead()
    {
        Assert.True(DeliveryMessage.TryParse($$"""{"version":1,"attempt":1,"destinations":[{"name":"webhook:ci","error":"<503> & 'x'"}],"events":[{{Event}}]}""", out var message, out var problem), problem);
        Assert.Equal("e1", Assert.Single(message.Events).Id);
        // Written back without HTML escapes: queue text is not a page, and escapes would eat the room of a message.
        Assert.Contains("\"error\":\"<503> & 'x'\"", message.ToJson(), StringComparison.Ordinal);
    }
}
