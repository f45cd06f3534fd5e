using System.Net;
using System.Security.Cryptography;
using System.Text;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>
/// The process-wide "account" behind every <see cref="InMemoryBlobStore"/>: containers by name, and a loopback HTTP
/// listener (started on the first read URL) that serves signed, expiring read URLs for one blob each, with ranges.
/// </summary>
public static class InMemoryBlobServer
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Dictionary<string, InMemoryBlob>> Containers = new(StringComparer.Ordinal);
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly Lazy<Uri> Endpoint = new(Start);

    /// <summary>Deletes a container and its blobs; a missing one is fine.</summary>
    public static void DeleteContainer(string container)
    {
        lock (Gate)
        {
            Containers.Remove(container);
        }
    }

    public static bool ContainerExists(string container)
    {
        lock (Gate)
        {
            return Containers.ContainsKey(container);
        }
    }

    /// <summary>Runs a change on a container's blobs, creating the container first as a write would.</summary>
    internal static void Write(string container, Action<Dictionary<string, InMemoryBlob>> change)
    {
        lock (Gate)
        {
            if (!Containers.TryGetValue(container, out var blobs))
            {
                Containers[container] = blobs = new Dictionary<string, InMemoryBlob>(StringComparer.Ordinal);
            }

            change(blobs);
        }
    }

    internal static byte[]? Read(string container, string blobName)
    {
        lock (Gate)
        {
            return Containers.TryGetValue(container, out var blobs) && blobs.TryGetValue(blobName, out var blob) ? blob.Content : null;
        }
    }

    internal static List<StoredBlob> List(string container, string prefix)
    {
        lock (Gate)
        {
            return !Containers.TryGetValue(container, out var blobs) ? []
                : blobs.Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(b => b.Key, StringComparer.Ordinal)
                    .Select(b => new StoredBlob(b.Key, b.Value.Content?.LongLength ?? 0, b.Value.LastModified, b.Value.Content is not null))
                    .ToList();
        }
    }

    internal static Uri ReadUri(string container, string blobName, DateTimeOffset expiry)
    {
        var path = "/" + container + "/" + blobName;
        var expires = expiry.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Uri(Endpoint.Value, $"{path}?se={expires}&sig={Uri.EscapeDataString(Sign(path, expires))}");
    }

    private static string Sign(string path, string expires) =>
        Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(path + "\n" + expires)));

    private static Uri Start()
    {
        var port = Azurite.FreePort();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                Serve(context);
            }
        });
        return new Uri($"http://127.0.0.1:{port}/");
    }

    private static void Serve(HttpListenerContext context)
    {
        using var response = context.Response;
        var path = context.Request.Url!.AbsolutePath;
        var expires = context.Request.QueryString["se"] ?? "";
        var signature = context.Request.QueryString["sig"] ?? "";
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Sign(path, expires)), Encoding.UTF8.GetBytes(signature)) &&
                    long.TryParse(expires, out var seconds) && DateTimeOffset.UtcNow.ToUnixTimeSeconds() < seconds;
        var slash = path.IndexOf('/', 1);
        var content = !valid || slash < 0 ? null : Read(path[1..slash], path[(slash + 1)..]);
        if (content is null)
        {
            response.StatusCode = valid ? 404 : 403;
            return;
        }

        var (offset, length) = (0, content.Length);
        if (context.Request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            var bounds = range["bytes=".Length..].Split('-');
            offset = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = bounds[1].Length == 0 ? content.Length - 1 : Math.Min(int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture), content.Length - 1);
            length = last - offset + 1;
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {offset}-{last}/{content.Length}";
        }

        response.ContentLength64 = length;
        response.OutputStream.Write(content, offset, length);
    }
}
