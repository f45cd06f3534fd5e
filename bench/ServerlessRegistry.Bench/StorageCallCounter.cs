using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Counts the storage requests the registry sends. Registered in DI, it joins the storage pipeline as a per-call
/// policy (RegistryApp), so each logical call counts once however often it is retried.
/// </summary>
internal sealed class StorageCallCounter : HttpPipelinePolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _count);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _count);
        return ProcessNextAsync(message, pipeline);
    }

    /// <summary>How many calls <paramref name="action"/> made (run alone: nothing else may use the registry meanwhile).</summary>
    public async Task<long> CountAsync(Func<Task> action)
    {
        var before = Count;
        await action();
        return Count - before;
    }
}
