using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Web.Session;

/// <summary>
/// The data-protection key ring in the registry's private auth table (<see cref="DataProtectionKeyRow"/>), so every
/// instance (Functions scale out) reads the same keys and a restart keeps them: a cookie written by one instance is
/// read by any other.
/// </summary>
/// <remarks>
/// <para>Insert-only: a key is never rewritten. Data protection revokes a key by storing a new revocation element,
/// which gets a row of its own. The row key is the key id (or a fresh id for elements without one), so storing the
/// same element twice is a conflict that is ignored, which makes <see cref="StoreElement"/> idempotent.</para>
/// <para>Two instances starting on an empty table may each create a key; both are kept, and data protection reads
/// the whole ring, so either decrypts what the other wrote once it has reloaded the ring.</para>
/// <para>The interface is synchronous; the calls block on storage. Data protection calls it rarely (at start, when a key
/// is created, when the ring expires after a day), never per request. Thread-safe.</para>
/// </remarks>
internal sealed class TableXmlRepository(RegistryStorage storage, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => Task.Run(ReadAllAsync).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => Task.Run(() => StoreAsync(element)).GetAwaiter().GetResult();

    private async Task<IReadOnlyCollection<XElement>> ReadAllAsync()
    {
        var elements = new List<XElement>();
        var query = new RowQuery { PartitionKey = DataProtectionKeyRow.Partition };
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.AuthTable, query, CancellationToken.None).ConfigureAwait(false);
            elements.AddRange(page.Rows.Select(DataProtectionKeyRow.FromRow).Where(r => r.Xml is not null).Select(r => XElement.Parse(r.Xml!)));
            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);
        return elements;
    }

    private async Task StoreAsync(XElement element)
    {
        // Keys carry id="{guid}"; a revocation element does not, and is named by its own fresh id.
        var id = (string?)element.Attribute("id") is { } keyId && Guid.TryParse(keyId, out var guid) ? "key-" + guid.ToString("N") : "element-" + Guid.NewGuid().ToString("N");
        var row = new DataProtectionKeyRow(element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow()).ToRow(id);
        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.AuthTable, RowOperation.Insert(row), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Already stored: the same key, since a key id is a fresh GUID.
        }
    }
}
