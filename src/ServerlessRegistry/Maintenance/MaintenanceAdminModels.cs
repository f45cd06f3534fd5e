namespace ServerlessRegistry.Maintenance;

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record UsageView(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record GcRequest(string Name);

/// <summary>Admin API model (to be filled in).</summary>
internal sealed record GcReportView(string Name);

