namespace ServerlessRegistry.Policies;

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record PolicyView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record PolicySpec(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record LockView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record LockSpec(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record PolicyExplanation(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record RetentionRunRequest(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record RetentionRunView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record QuotaReconcileView(string Name);

