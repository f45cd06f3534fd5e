using System.Text;
using ServerlessRegistry.Azure.Table;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>The $batch body we write and the batch responses we read, byte for byte.</summary>
public sealed class MetadataBatchFormatTests
{
    private const string TableUrl = "http://127.0.0.1:10002/devstoreaccount1/t1repos";

    [Fact]
    public void WritesOneChangesetWithCrlfAbsoluteUrlsAndOneLineJson()
    {
        var row = new TableRow("pk", "t:it's") { ["Digest"] = "sha256:1", ["Size"] = 5L };
        var (contentType, body) = TableBatch.Build(TableUrl,
            [RowOperation.Insert(row), RowOperation.Upsert(row), RowOperation.Replace(row, "W/\"datetime'x'\""), RowOperation.Delete("pk", "t:a")],
            "batch_b1", "changeset_c1");

        const string json = "{\"PartitionKey\":\"pk\",\"RowKey\":\"t:it\\u0027s\",\"Digest\":\"sha256:1\",\"Size@odata.type\":\"Edm.Int64\",\"Size\":\"5\"}";
        const string entityUrl = TableUrl + "(PartitionKey='pk',RowKey='t%3Ait%27%27s')";
        const string common = "Accept: application/json;odata=minimalmetadata\r\nDataServiceVersion: 3.0;\r\n";
        const string part = "--changeset_c1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n";
        const string write = "Content-Type: application/json\r\nPrefer: return-no-content\r\n\r\n" + json + "\r\n";
        var expected =
            "--batch_b1\r\nContent-Type: multipart/mixed; boundary=changeset_c1\r\n\r\n" +
            part + "POST " + TableUrl + " HTTP/1.1\r\nContent-ID: 1\r\n" + common + write +
            part + "PUT " + entityUrl + " HTTP/1.1\r\nContent-ID: 2\r\n" + common + write +
            part + "PUT " + entityUrl + " HTTP/1.1\r\nContent-ID: 3\r\n" + common + "If-Match: W/\"datetime'x'\"\r\n" + write +
            part + "DELETE " + TableUrl + "(PartitionKey='pk',RowKey='t%3Aa') HTTP/1.1\r\nContent-ID: 4\r\n" + common + "If-Match: *\r\n\r\n\r\n" +
            "--changeset_c1--\r\n--batch_b1--\r\n";

        Assert.Equal("multipart/mixed; boundary=batch_b1", contentType);
        Assert.Equal(expected, Encoding.UTF8.GetString(body));
        Assert.DoesNotContain("\n", Encoding.UTF8.GetString(body).Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void KeepsJsonBodiesOnOneLineEvenWithNewlinesInValues()
    {
        var row = new TableRow("pk", "r") { ["Annotations"] = "{\n  \"a\": \"b\"\n}" };
        var (_, body) = TableBatch.Build(TableUrl, [RowOperation.Upsert(row)], "batch_b", "changeset_c");

        var line = Encoding.UTF8.GetString(body).Split("\r\n").Single(l => l.StartsWith('{'));
        Assert.Equal("{\"PartitionKey\":\"pk\",\"RowKey\":\"r\",\"Annotations\":\"{\\n  \\u0022a\\u0022: \\u0022b\\u0022\\n}\"}", line);
    }

    [Fact]
    public void ValidationRejectsMoreThanOneHundredMixedPartitionsRepeatedRowsAndMissingConditions()
    {
        TableBatch.Validate(Enumerable.Range(0, 100).Select(i => RowOperation.Delete("pk", "r" + i)).ToList());
        Assert.Throws<ArgumentException>(() => TableBatch.Validate(Enumerable.Range(0, 101).Select(i => RowOperation.Delete("pk", "r" + i)).ToList()));
        Assert.Throws<ArgumentException>(() => TableBatch.Validate([RowOperation.Delete("a", "r"), RowOperation.Delete("b", "s")]));
        Assert.Throws<ArgumentException>(() => TableBatch.Validate([RowOperation.Delete("a", "r"), RowOperation.Upsert(new TableRow("a", "r"))]));
        Assert.Throws<ArgumentException>(() => TableBatch.Validate([RowOperation.Replace(new TableRow("a", "r"), "")]));
        Assert.Throws<ArgumentException>(() => TableBatch.Validate([RowOperation.Delete("a", "r", "")]));
    }

    // Captured from Azurite 3.37: the third operation (Content-ID 3) inserted a row that exists.
    private const string AzuriteFailure =
        "--batchresponse_11111111-2222\r\nContent-Type: multipart/mixed; boundary=changesetresponse_aaaa-bbbb\r\n\r\n" +
        "--changesetresponse_aaaa-bbbb\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
        "HTTP/1.1 409 Conflict\r\nContent-ID: 3\r\nDataServiceVersion: 3.0;\r\nContent-Type: application/json;odata=minimalmetadata;charset=utf-8\r\n\r\n" +
        "{\"odata.error\":{\"code\":\"EntityAlreadyExists\",\"message\":{\"lang\":\"en-US\",\"value\":\"2:The specified entity already exists.\\nRequestId:55eb\\nTime:2026-11-22T04:49:07.581Z\"}}}\r\n" +
        "--changesetresponse_aaaa-bbbb--\r\n--batchresponse_11111111-2222--\r\n";

    [Fact]
    public void ParsesAFailedBatchWithTheIndexFromTheMessage()
    {
        var failure = TableBatch.Parse(AzuriteFailure);

        Assert.NotNull(failure);
        Assert.Equal(409, failure.Status);
        Assert.Equal("EntityAlreadyExists", failure.Code);
        Assert.StartsWith("2:The specified entity already exists.", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, failure.Index);
    }

    [Fact]
    public void FallsBackToTheContentIdWhenTheMessageHasNoIndex()
    {
        var failure = TableBatch.Parse(AzuriteFailure.Replace("\"2:The", "\"The", StringComparison.Ordinal).Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(new BatchFailure(409, "EntityAlreadyExists", "The specified entity already exists.\nRequestId:55eb\nTime:2026-11-22T04:49:07.581Z", 2), failure);
    }

    [Fact]
    public void ParsesAFailureWithoutJsonOrContentIdAsUnknownIndex()
    {
        var failure = TableBatch.Parse("--batchresponse_x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\n--batchresponse_x--\r\n");

        Assert.Equal(new BatchFailure(400, null, null, -1), failure);
    }

    [Fact]
    public void ParsesASuccessfulBatchAsNoFailure()
    {
        const string ok =
            "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n" +
            "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
            "HTTP/1.1 204 No Content\r\nContent-ID: 1\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\n" +
            "Preference-Applied: return-no-content\r\nDataServiceVersion: 3.0;\r\nETag: W/\"datetime'2026-11-22T04%3A49%3A07.58Z'\"\r\n\r\n\r\n" +
            "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
            "HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\nDataServiceVersion: 1.0;\r\n\r\n\r\n" +
            "--changesetresponse_2--\r\n--batchresponse_1--\r\n";

        Assert.Null(TableBatch.Parse(ok));
    }
}
