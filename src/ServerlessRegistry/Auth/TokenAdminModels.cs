namespace ServerlessRegistry.Auth;

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record TokenView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record TokenCreate(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record CreatedToken(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record TokenSpec(string Name);

