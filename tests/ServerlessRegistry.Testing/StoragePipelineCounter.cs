using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Testing;

/// <summary>
/// Counts the storage requests the registry sends, by method and service (blob/table). Registered in DI as an
/// <see cref="HttpPipelinePolicy"/>, it joins the storage pipeline per call, so a retried call counts once.
/// </summary>
public sealed class StoragePipelineCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Calls so far per "METHOD service", e.g. "DELETE blob" or "GET table".</summary>
    public IReadOnlyDictionary<string, long> ByKind => new Dictionary<string, long>(_byKind);

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        _byKind.Clear();
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Record(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Record(HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        var uri = message.Request.Uri.ToString();
        var service = uri.Contains("$batch", StringComparison.Ordinal) ? "table-batch"
            : message.Request.Headers.TryGetValue("DataServiceVersion", out _) ? "table" : "blob";
        _byKind.AddOrUpdate(message.Request.Method.ToString() + " " + service, 1, (_, n) => n + 1);
    }
}
