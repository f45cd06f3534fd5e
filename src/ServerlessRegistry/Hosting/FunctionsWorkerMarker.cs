namespace ServerlessRegistry.Hosting;

/// <summary>
/// Registered only by the Functions worker's setup: the registry runs behind the Functions host. The worker's own
/// Kestrel listens on loopback, but the host in front of it listens on every interface (<c>func start</c> binds
/// 0.0.0.0:7071; in Azure the front end is public), so the bound address says nothing about who can reach it. A
/// service rather than an environment variable, because the worker's setup is the one thing present under every
/// host, local or in Azure, whatever the host puts in the environment.
/// </summary>
internal sealed class FunctionsWorkerMarker;
