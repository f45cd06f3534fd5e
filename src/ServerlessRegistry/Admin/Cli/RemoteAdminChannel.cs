using System.Net.Http.Headers;

namespace ServerlessRegistry.Admin.Cli;

/// <summary>
/// Calls a deployed registry's admin API (<c>--registry https://…</c>) with the operator's credentials
/// (<see cref="RemoteCredentials"/>). Plain http is refused except to loopback: the credentials would travel in clear.
/// </summary>
internal sealed class RemoteAdminChannel : IAdminChannel, IDisposable
{
    /// <summary>Long enough for a garbage collection or a retention run on a small registry.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue _credentials;

    private RemoteAdminChannel(Uri registry, AuthenticationHeaderValue credentials)
    {
        _http = new HttpClient { BaseAddress = registry, Timeout = Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("serverless-registry-cli/1");
        _credentials = credentials;
    }

    public string Describe => "the registry at " + _http.BaseAddress!.GetLeftPart(UriPartial.Authority);

    /// <summary>Checks the address and gets credentials; throws <see cref="AdminCliException"/> with the line to print.</summary>
    public static async Task<RemoteAdminChannel> CreateAsync(string registry, Func<string, string?> environment, CancellationToken ct)
    {
        if (!Uri.TryCreate(registry.Contains("://", StringComparison.Ordinal) ? registry : "https://" + registry, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            throw new AdminCliException($"--registry must be the registry's address, like https://registry.example.org, not '{registry}'.");
        }

        if (!Remote.RemoteUrls.IsSecureOrLoopback(uri))
        {
            throw new AdminCliException($"--registry {registry}: plain http would send the credentials in clear; use https (http is accepted for loopback only).");
        }

        return new RemoteAdminChannel(uri, await RemoteCredentials.ResolveAsync(environment, ct));
    }

    public async Task<AdminReply> SendAsync(AdminCall call, CancellationToken ct)
    {
        var operation = AdminRoutes.ById[call.OperationId];
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), call.Target());
        request.Headers.Authorization = _credentials;
        if (call.BodyBytes() is { } body)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(AdminJson.MediaType);
        }

        try
        {
            using var response = await _http.SendAsync(request, ct);
            return new AdminReply((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct));
        }
        catch (HttpRequestException e)
        {
            throw new AdminCliException($"{Describe} is unreachable: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AdminCliException($"{Describe} did not answer within {Timeout.TotalMinutes:0} minutes.");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A command-line failure before or around an admin call (bad --registry, no credentials, unreachable): one line.</summary>
internal sealed class AdminCliException(string message) : Exception(message);
