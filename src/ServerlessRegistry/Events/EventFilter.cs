using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Events;

/// <summary>
/// A destination's filter as configured: the actions it wants (<paramref name="actions"/>, or
/// <paramref name="defaultActions"/> when none is listed) and the repository patterns it covers (every repository when none
/// is listed). Action names match without regard to case. Immutable and thread-safe; no I/O.
/// </summary>
internal sealed class EventFilter(IReadOnlyList<string> actions, IReadOnlyList<string> repositories, IReadOnlyList<string> defaultActions)
{
    private readonly HashSet<string> _actions = new(actions.Count > 0 ? actions : defaultActions, StringComparer.OrdinalIgnoreCase);
    private readonly string[] _repositories = [.. repositories];

    public bool CouldAccept(string action) => _actions.Contains(action);

    public bool Accepts(RegistryEvent e) =>
        _actions.Contains(e.Action) && (_repositories.Length == 0 || _repositories.Any(p => Pattern.Matches(p, e.Target.Repository)));

    /// <summary>What is wrong with a filter's settings under <paramref name="key"/> (Events:Webhooks:0): one line each.</summary>
    public static IEnumerable<string> Problems(string key, IEnumerable<string> actions, IEnumerable<string> repositories)
    {
        foreach (var action in actions.Where(a => !EventActions.All.Contains(a, StringComparer.OrdinalIgnoreCase)))
        {
            yield return $"{key}:Actions has '{action}'; the actions are {string.Join(", ", EventActions.All)}.";
        }

        foreach (var problem in repositories.Select(Pattern.Check).OfType<string>())
        {
            yield return $"{key}:Repositories: {problem}.";
        }
    }
}
