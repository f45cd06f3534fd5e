using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The published executable started as the Functions host starts it: from the package root, with the port in
/// FUNCTIONS_CUSTOMHANDLER_PORT and the app settings in the environment, polled on GET / until it answers.
/// </summary>
internal sealed class PublishedHandler : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private PublishedHandler(Process process, int port)
    {
        _process = process;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
        };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }
    public IReadOnlyCollection<string> StdOut => _stdout;
    public string Output => string.Join('\n', _stdout) + "\n--- stderr ---\n" + string.Join('\n', _stderr);

    public static async Task<PublishedHandler> StartAsync(PackageFixture package, IReadOnlyDictionary<string, string> settings)
    {
        var port = Azurite.FreePort();
        var start = new ProcessStartInfo(package.Executable)
        {
            WorkingDirectory = package.AppRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // What the host provides (functions-custom-handlers: environment of the worker process).
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        start.Environment["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = Guid.NewGuid().ToString();
        start.Environment["FUNCTIONS_APP_ROOT_PATH"] = package.AppRoot;
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var handler = new PublishedHandler(Process.Start(start)!, port);
        // Like the host: any HTTP answer on GET / means ready; connection errors mean not yet.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var ready = await handler.Client.GetAsync("/", deadline.Token);
                return handler;
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException && !handler._process.HasExited && !deadline.IsCancellationRequested)
            {
                await Task.Delay(25, deadline.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                await handler.DisposeAsync();
                throw new InvalidOperationException("The published handler did not become ready:\n" + handler.Output, e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
