using System.Text;
using System.Text.Json;
using ServerlessRegistry.Azure.Table;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>Key predicates, $filter text, continuation tokens and typed entity JSON.</summary>
public sealed class MetadataWireFormatTests
{
    [Theory]
    [InlineData("pk", "", "t(PartitionKey='pk',RowKey='')")]
    [InlineData("a'b", "t:x", "t(PartitionKey='a%27%27b',RowKey='t%3Ax')")]
    [InlineData("''", "r:sha256:1:sha256:2", "t(PartitionKey='%27%27%27%27',RowKey='r%3Asha256%3A1%3Asha256%3A2')")]
    [InlineData("a b+c&d=(e)!*", "é", "t(PartitionKey='a%20b%2Bc%26d%3D%28e%29%21%2A',RowKey='%C3%A9')")]
    public void EntityPathDoublesQuotesThenPercentEncodes(string partitionKey, string rowKey, string expected) =>
        Assert.Equal(expected, TableAddress.EntityPath("t", partitionKey, rowKey));

    [Fact]
    public void FilterJoinsPartitionBoundsAndWhereWithAnd()
    {
        var query = new RowQuery
        {
            PartitionKey = "it's", RowKeyFrom = "t:", FromExclusive = true, RowKeyTo = "t;",
            Where = new Dictionary<string, string> { ["ArtifactType"] = "x'y" },
        };

        Assert.Equal("PartitionKey eq 'it''s' and RowKey gt 't:' and RowKey lt 't;' and ArtifactType eq 'x''y'", TableAddress.Filter(query));
        Assert.Equal("RowKey ge 'a'", TableAddress.Filter(new RowQuery { RowKeyFrom = "a" }));
        Assert.Equal("", TableAddress.Filter(new RowQuery()));
        Assert.Throws<ArgumentException>(() => TableAddress.Filter(new RowQuery { Where = new Dictionary<string, string> { ["a b"] = "x" } }));
    }

    [Fact]
    public void QueryStringEncodesSpacesAsPercent20AndRepeatsFilterWithContinuation()
    {
        var continuation = TableAddress.FormatContinuation("cGs+/w==", "1!8!cms-");
        var text = TableAddress.QueryString(new RowQuery { PartitionKey = "a b", Top = 5000, Continuation = continuation });

        Assert.Equal("$filter=PartitionKey%20eq%20%27a%20b%27&$top=1000&NextPartitionKey=cGs%2B%2Fw%3D%3D&NextRowKey=1%218%21cms-", text);
        Assert.DoesNotContain('+', text);
        Assert.Equal("", TableAddress.QueryString(new RowQuery()));
        Assert.Throws<ArgumentOutOfRangeException>(() => TableAddress.QueryString(new RowQuery { Top = 0 }));
    }

    [Fact]
    public void ContinuationRoundTripsBothHeadersOrJustThePartition()
    {
        Assert.Equal(("p,1", "r ,2"), TableAddress.ParseContinuation(TableAddress.FormatContinuation("p,1", "r ,2")!));
        Assert.Equal(("p", (string?)null), TableAddress.ParseContinuation(TableAddress.FormatContinuation("p", null)!));
        Assert.Null(TableAddress.FormatContinuation(null, null));
        Assert.Null(TableAddress.FormatContinuation("", "r"));
        Assert.Throws<ArgumentException>(() => TableAddress.ParseContinuation("a,b,c"));
        Assert.Throws<ArgumentException>(() => TableAddress.ParseContinuation(",b"));
    }

    [Fact]
    public void WritesTypedPropertiesWithAnnotations()
    {
        var row = new TableRow("p", "r")
        {
            ["S"] = "x", ["L"] = 9_000_000_000L, ["I"] = -1, ["B"] = true, ["Bin"] = new byte[] { 0, 255 },
            ["D"] = new DateTimeOffset(2024, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)).AddTicks(7),
        };

        Assert.Equal(
            "{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"S\":\"x\",\"L@odata.type\":\"Edm.Int64\",\"L\":\"9000000000\",\"I\":-1,\"B\":true," +
            "\"Bin@odata.type\":\"Edm.Binary\",\"Bin\":\"AP8=\",\"D@odata.type\":\"Edm.DateTime\",\"D\":\"2024-01-02T03:04:05.0000007Z\"}",
            Encoding.UTF8.GetString(EntityJson.Write(row)));
    }

    [Theory]
    [InlineData("RowKey")]
    [InlineData("Timestamp")]
    [InlineData("ETag")]
    [InlineData("has-dash")]
    [InlineData("")]
    public void RejectsReservedOrInvalidPropertyNames(string name) =>
        Assert.Throws<ArgumentException>(() => EntityJson.Write(new TableRow("p", "r") { Properties = { [name] = "x" } }));

    [Fact]
    public void RejectsUnsupportedPropertyTypes() =>
        Assert.Throws<ArgumentException>(() => EntityJson.Write(new TableRow("p", "r") { ["G"] = Guid.Empty }));

    [Fact]
    public void ReadsTypesFromAnnotationsAndSkipsMetadata()
    {
        const string json = """
            {"odata.metadata":"m","odata.etag":"W/\"datetime'2024-01-01T00%3A00%3A00.1Z'\"","PartitionKey":"p","RowKey":"r",
             "Timestamp":"2024-01-01T00:00:00.1Z","S":"x","I":7,"B":false,"N":null,"L@odata.type":"Edm.Int64","L":"-9000000000",
             "Bin@odata.type":"Edm.Binary","Bin":"AP8=","D@odata.type":"Edm.DateTime","D":"2024-01-02T03:04:05.0000007Z","F":1.5}
            """;
        using var document = JsonDocument.Parse(json);

        var row = EntityJson.Read(document.RootElement);

        Assert.Equal(("p", "r"), (row.PartitionKey, row.RowKey));
        Assert.Equal("W/\"datetime'2024-01-01T00%3A00%3A00.1Z'\"", row.ETag);
        Assert.Equal(["B", "Bin", "D", "F", "I", "L", "S"], row.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(7, Assert.IsType<int>(row["I"]));
        Assert.Equal(-9_000_000_000L, Assert.IsType<long>(row["L"]));
        Assert.Equal(new byte[] { 0, 255 }, row["Bin"]);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(7), Assert.IsType<DateTimeOffset>(row["D"]));
        Assert.False(Assert.IsType<bool>(row["B"]));
        Assert.Equal(1.5, Assert.IsType<double>(row["F"]));
        Assert.Equal("header", EntityJson.Read(document.RootElement, "header").ETag);
    }
}
