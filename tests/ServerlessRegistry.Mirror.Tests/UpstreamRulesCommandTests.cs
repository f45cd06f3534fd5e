using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary><c>mirror rules</c> run in-process against a running distribution and a closed port.</summary>
public sealed class UpstreamRulesCommandTests(DistributionFixture fixture) : IClassFixture<DistributionFixture>
{
    private const string Password = "hunter2-never-printed";

    [Fact]
    public async Task ReachableUpstreamsAreOkAndExitZero()
    {
        var (code, output, error) = await RunAsync(
            "--Mirror:Rules:0:Local=dist/*", $"--Mirror:Rules:0:Upstream=http://{fixture.Upstream.HostPort}/*",
            "--Mirror:Rules:1:Local=hub/app", $"--Mirror:Rules:1:Upstream=http://{fixture.Upstream.HostPort}/{DistributionFixture.Repository}");

        Assert.True(code == 0, output + error);
        Assert.Equal(
            [
                $"dist/* -> http://{fixture.Upstream.HostPort}/*: ok: reachable, anonymous access",
                $"hub/app -> http://{fixture.Upstream.HostPort}/{DistributionFixture.Repository}: ok: reachable, anonymous access",
            ],
            Lines(output));
    }

    [Fact]
    public async Task AnUnreachableUpstreamFailsTheCommandAndNoPasswordIsPrinted()
    {
        var closed = Azurite.FreePort();
        var (code, output, error) = await RunAsync(
            "--Mirror:Rules:0:Local=dist/*", $"--Mirror:Rules:0:Upstream=http://{fixture.Upstream.HostPort}/*",
            "--Mirror:Rules:0:Username=mirror", $"--Mirror:Rules:0:Password={Password}",
            "--Mirror:Rules:1:Local=down/*", $"--Mirror:Rules:1:Upstream=http://127.0.0.1:{closed}/*",
            "--Mirror:Rules:1:Username=mirror", $"--Mirror:Rules:1:Password={Password}");

        Assert.Equal(1, code);
        Assert.Equal(
            [
                $"dist/* -> http://{fixture.Upstream.HostPort}/* (with credentials): ok: reachable, anonymous access",
                $"down/* -> http://127.0.0.1:{closed}/* (with credentials): FAILED: unreachable (connection refused)",
            ],
            Lines(output));
        Assert.DoesNotContain(Password, output + error);
    }

    [Fact]
    public async Task NoRulesIsSaidAndExitsZero()
    {
        var (code, output, _) = await RunAsync();

        Assert.Equal(0, code);
        Assert.StartsWith("No cache rules configured", output);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] settings)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // The command lists stored rules too, so it reads storage: an empty prefix of the shared emulator.
        var code = await RegistryCli.RunAsync(["mirror", "rules", .. settings, .. await CacheRuleAdminFixture.StorageArgumentsAsync(null)], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
