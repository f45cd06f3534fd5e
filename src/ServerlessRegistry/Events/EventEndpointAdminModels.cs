namespace ServerlessRegistry.Events;

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record EventEndpointView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record EventEndpointSpec(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record FailedDeliveryView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record RedeliverRequest(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record RedeliverView(string Name);

