namespace ServerlessRegistry.Maintenance;

/// <summary>
/// The scheduled maintenance runs, as the Functions timers and the CLI start them. Registered as a singleton by
/// <see cref="MaintenanceSetup.AddMaintenance"/>.
/// </summary>
internal sealed class MaintenanceJobs
{
    /// <summary>One garbage-collection run with the configured options; returns a one-line summary for the invocation log.</summary>
    public Task<string> CollectGarbageAsync(CancellationToken cancellationToken) =>
        throw new NotImplementedException("garbage collection arrives with the maintenance work");

    /// <summary>One upload-expiry run with the configured age; returns a one-line summary for the invocation log.</summary>
    public Task<string> ExpireUploadsAsync(CancellationToken cancellationToken) =>
        throw new NotImplementedException("upload expiry arrives with the maintenance work");
}
