using ServerlessRegistry.Api;

namespace ServerlessRegistry.Events;

/// <summary>
/// The actions' names on the wire (distribution's, plus fill), declared once: the publisher names events with them and
/// every destination's Actions filter is checked against them.
/// </summary>
internal static class EventActions
{
    /// <summary>push, pull, mount, delete, fill: indexed by <see cref="ChangeAction"/>, in its order.</summary>
    public static readonly IReadOnlyList<string> All = ["push", "pull", "mount", "delete", "fill"];

    /// <summary>The wire name of <paramref name="action"/>.</summary>
    public static string WireName(ChangeAction action) =>
        (int)action >= 0 && (int)action < All.Count ? All[(int)action] : throw new ArgumentOutOfRangeException(nameof(action), action, null);
}
