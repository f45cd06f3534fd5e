using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Functions;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The function app without the Functions host: the worker's service registration (<see cref="WorkerSetup"/>)
/// against Azurite, and an <see cref="HttpClient"/> whose every request becomes a <see cref="DefaultHttpContext"/>
/// handed to <see cref="RegistryFunction"/>, as the ASP.NET Core integration hands the worker's own context.
/// </summary>
internal sealed class FunctionApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly Azurite _azurite;
    private readonly string _prefix;

    private FunctionApp(ServiceProvider services, Azurite azurite, string prefix)
    {
        _services = services;
        _azurite = azurite;
        _prefix = prefix;
        Client = new HttpClient(new Invoker(services)) { BaseAddress = new Uri("http://worker.invalid/") };
    }

    public HttpClient Client { get; }

    public FakeTimeProvider Time => (FakeTimeProvider)_services.GetRequiredService<TimeProvider>();

    /// <summary>The timer functions, activated as the worker activates them (constructor injection).</summary>
    public MaintenanceFunctions Timers => ActivatorUtilities.CreateInstance<MaintenanceFunctions>(_services);

    public static async Task<FunctionApp> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var azurite = await Azurite.GetAsync();
        var prefix = Azurite.NewPrefix();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(azurite.RegistrySettings(prefix))
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddRegistryWorker(configuration)
            .AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        return new FunctionApp(services.BuildServiceProvider(), azurite, prefix);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _services.DisposeAsync();
        await StorageCleanup.DeletePrefixAsync(_azurite, _prefix);
    }

    /// <summary>Turns each request into an <see cref="HttpContext"/>, runs the HTTP function on it and reads its response.</summary>
    private sealed class Invoker(IServiceProvider services) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var responseFeature = new RecordingResponseFeature();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Features.Set<IHttpResponseFeature>(responseFeature);
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new MemoryStream()));
            var request = context.Request;
            request.Method = message.Method.Method;
            request.Scheme = "http";
            request.Host = new HostString("127.0.0.1", 7071);
            request.Path = message.RequestUri!.AbsolutePath;
            request.QueryString = new QueryString(message.RequestUri.Query);
            foreach (var (name, values) in message.Headers)
            {
                request.Headers[name] = values.ToArray();
            }

            if (message.Content is { } content)
            {
                foreach (var (name, values) in content.Headers)
                {
                    request.Headers[name] = values.ToArray();
                }

                // The body streams from the client's content, as the worker's Kestrel streams it from the host.
                request.Body = await content.ReadAsStreamAsync(cancellationToken);
            }

            var function = ActivatorUtilities.CreateInstance<RegistryFunction>(scope.ServiceProvider);
            var result = await function.RunAsync(request);
            await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
            await responseFeature.StartAsync();
            return ToMessage(context, message);
        }

        private static HttpResponseMessage ToMessage(HttpContext context, HttpRequestMessage request)
        {
            var body = (MemoryStream)context.Features.Get<IHttpResponseBodyFeature>()!.Stream;
            var response = new HttpResponseMessage((System.Net.HttpStatusCode)context.Response.StatusCode)
            {
                RequestMessage = request,
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var (name, values) in context.Response.Headers)
            {
                if (!response.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
                }
            }

            return response;
        }
    }

    /// <summary>A response feature that runs OnStarting callbacks, as a server does before it sends the headers.</summary>
    private sealed class RecordingResponseFeature : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            // Registered last runs first, as in Kestrel.
            for (var i = _starting.Count - 1; i >= 0; i--)
            {
                await _starting[i].Callback(_starting[i].State);
            }
        }
    }
}
