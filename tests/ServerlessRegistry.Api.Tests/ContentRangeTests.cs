using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api.Tests;

/// <summary>
/// The Content-Range of a chunk PATCH: the spec's inclusive <c>start-end</c>, also accepted with an HTTP-style
/// "bytes" unit and a total, which the registry ignores. Malformed → BLOB_UPLOAD_INVALID; reversed → RANGE_INVALID.
/// </summary>
public sealed class ContentRangeTests
{
    [Theory]
    [InlineData("0-99", 0, 99)]
    [InlineData("0-0", 0, 0)]
    [InlineData("100-199", 100, 199)]
    [InlineData("5-5", 5, 5)]
    [InlineData("bytes 0-99/100", 0, 99)]
    [InlineData("bytes 0-99/*", 0, 99)]
    [InlineData("bytes=0-99", 0, 99)]
    [InlineData("bytes 100-199", 100, 199)]
    [InlineData("0-99/100", 0, 99)]
    [InlineData("0000-0099", 0, 99)]
    [InlineData("0-9223372036854775806", 0, 9223372036854775806)]
    public void ParsesAnInclusiveRange(string header, long start, long end) =>
        Assert.Equal(new ChunkRange(start, end), UploadEndpoints.ParseContentRange(header));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void AnAbsentHeaderIsNoRange(string? header) => Assert.Null(UploadEndpoints.ParseContentRange(header));

    [Theory]
    [InlineData("99")]
    [InlineData("-")]
    [InlineData("-99")]
    [InlineData("0-")]
    [InlineData("0--99")]
    [InlineData("-0-99")]
    [InlineData("+0-99")]
    [InlineData("0-+99")]
    [InlineData("0 -99")]
    [InlineData("0- 99")]
    [InlineData("a-b")]
    [InlineData("0x0-0x63")]
    [InlineData("0-99-100")]
    [InlineData("0.0-99")]
    [InlineData("bytes")]
    [InlineData("bytes */100")]
    [InlineData("items 0-99")]
    [InlineData("/100")]
    [InlineData("0-9223372036854775808")]
    [InlineData("99999999999999999999-99999999999999999999")]
    public void RefusesAMalformedRangeAsUploadInvalid(string header) =>
        Assert.Equal(ErrorKind.BlobUploadInvalid, Assert.Throws<RegistryException>(() => UploadEndpoints.ParseContentRange(header)).Kind);

    [Theory]
    [InlineData("99-0")]
    [InlineData("1-0")]
    [InlineData("bytes 200-100/300")]
    [InlineData("9223372036854775807-0")]
    public void RefusesAReversedRangeAsRangeInvalid(string header) =>
        Assert.Equal(ErrorKind.RangeInvalid, Assert.Throws<RegistryException>(() => UploadEndpoints.ParseContentRange(header)).Kind);

    [Fact]
    public void ARangeOfTheLargestEndStillHasAPositiveLength()
    {
        var range = UploadEndpoints.ParseContentRange("0-9223372036854775806");

        Assert.Equal(long.MaxValue, range!.Value.Length);
    }
}
