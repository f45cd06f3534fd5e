using System.Text.Json;

namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>Reading upstream answers: descriptors from headers, bounded bodies, the next page of a tag list.</summary>
internal static class UpstreamResponses
{
    internal static UpstreamDescriptor Describe(HttpResponseMessage response) => new(
        response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.FirstOrDefault() : null,
        response.Content.Headers.ContentType?.MediaType,
        response.Content.Headers.ContentLength);

    /// <summary>The Link header's rel="next" page, on the same host only (credentials go nowhere else).</summary>
    internal static Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open < 0 || close < open || !link[close..].Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var next = new Uri(current, link[(open + 1)..close]);
            return next.Authority == current.Authority ? next : null;
        }

        return null;
    }

    internal static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, UpstreamTarget target, CancellationToken token)
    {
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new UpstreamException(UpstreamFailure.Failed, $"upstream {target} sent {response.Content.Headers.ContentLength} bytes; at most {limit} are accepted", status: (int)response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(token);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        for (int read; (read = await stream.ReadAsync(chunk, token)) > 0;)
        {
            if (buffer.Length + read > limit)
            {
                throw new UpstreamException(UpstreamFailure.Failed, $"upstream {target} sent more than {limit} bytes", status: (int)response.StatusCode);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The manifest's own mediaType field, for an upstream that sent no usable Content-Type.</summary>
    internal static string MediaTypeInside(byte[] bytes)
    {
        try
        {
            using var json = JsonDocument.Parse(bytes);
            if (json.RootElement.TryGetProperty("mediaType", out var type) && type.GetString() is { Length: > 0 } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Not JSON: the caller's digest and parse checks refuse it.
        }

        return "application/vnd.oci.image.manifest.v1+json";
    }
}
