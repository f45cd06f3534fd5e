namespace ServerlessRegistry.Core.Registry;

/// <summary>A stored manifest: its identity and, for GET, its exact bytes.</summary>
internal sealed record ManifestContent(string Digest, string MediaType, long Size, byte[]? Bytes);

/// <summary>What a manifest PUT recorded.</summary>
internal sealed record ManifestPutResult(string Digest, string? Subject, IReadOnlyList<string> Tags, string MediaType, long Size);
