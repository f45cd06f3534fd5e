using ServerlessRegistry.Events;

namespace ServerlessRegistry.Events.Tests;

public sealed class EventsOptionsTests
{
    [Fact]
    public void PullEventsAreOffByDefault() => Assert.False(new EventsOptions().Pulls);
}
