using System.Net.Sockets;
using System.Text.Json;

namespace ServerlessRegistry.Remote;

/// <summary>
/// What the registry's clients of other registries (the mirror's upstreams, replication's destinations) read the same
/// way: a token service's answer, and why a connection failed. Pure functions; thread-safe.
/// </summary>
internal static class RegistryWire
{
    /// <summary>A token whose answer gives no <c>expires_in</c> lives this long, as Docker's token spec says.</summary>
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Docker's <c>token</c> or OAuth2's <c>access_token</c>, and <c>expires_in</c>; null when the body holds neither, so the
    /// caller reports it without quoting the body, which may hold a secret.
    /// </summary>
    public static (string Token, TimeSpan Lifetime)? ReadToken(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds) : DefaultTokenLifetime;
            return string.IsNullOrEmpty(token) ? null : (token, lifetime);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What went wrong on the wire, in a few words ("connection refused"), for messages and the CLI.</summary>
    public static string Reason(Exception? e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                    var code => code.ToString(),
                };
            }

            if (current is System.Security.Authentication.AuthenticationException)
            {
                return "TLS handshake failed";
            }
        }

        var message = e?.Message ?? "no answer";
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
