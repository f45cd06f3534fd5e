namespace ServerlessRegistry.Mirror;

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record CacheRuleView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record CacheRuleSpec(string Name);

