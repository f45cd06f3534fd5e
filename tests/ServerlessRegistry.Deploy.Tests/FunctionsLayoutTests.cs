using System.Text.Json;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>host.json and every function.json have the shape the Functions host needs (it cannot run here).</summary>
public sealed class FunctionsLayoutTests
{
    private static readonly string[] AllMethods = ["get", "head", "post", "put", "patch", "delete", "options"];

    [Fact]
    public void HostJsonProxiesToTheExecutableWithNoRoutePrefix()
    {
        var host = RepoFiles.Json("host.json");
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        var handler = host.GetProperty("customHandler");
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.False(handler.TryGetProperty("enableForwardingHttpRequest", out _), "legacy forwarding drops chunked bodies");
        Assert.Equal("ServerlessRegistry", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.False(host.TryGetProperty("http", out var http) && http.TryGetProperty("routes", out _), "http.routes cannot coexist with function.json files");
    }

    [Fact]
    public void CatchAllFunctionIsAnonymousAndTakesEveryMethod()
    {
        var bindings = Bindings("Registry");
        var trigger = Assert.Single(bindings, b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("in", trigger.GetProperty("direction").GetString());
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal("{*path}", trigger.GetProperty("route").GetString());
        // HEAD is not implied by GET in the host: every method the registry answers is listed.
        var methods = trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).ToHashSet();
        Assert.Superset(AllMethods.ToHashSet(), methods);
        Assert.Single(bindings, b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "out");
    }

    [Fact]
    public void EachTimerTheProgramAnswersHasATimerFunction()
    {
        var folders = Directory.GetDirectories(RepoFiles.FunctionsFolder).Select(Path.GetFileName).ToHashSet();
        foreach (var name in TimerInvocations.Functions)
        {
            Assert.Contains(name, folders);
            var trigger = Assert.Single(Bindings(name!));
            Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
            Assert.Equal("in", trigger.GetProperty("direction").GetString());
            // Six-field NCRONTAB: seconds first.
            Assert.Equal(6, trigger.GetProperty("schedule").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        Assert.Equal(["CollectGarbage", "ExpireUploads", "Registry"], folders.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NoFunctionNameCollidesWithTheRegistryOrTheHostRoutes()
    {
        foreach (var dir in Directory.GetDirectories(RepoFiles.FunctionsFolder))
        {
            var name = Path.GetFileName(dir);
            Assert.DoesNotMatch("^(?i)(v2|oauth2|admin|runtime)$", name);
            Assert.True(File.Exists(Path.Combine(dir, "function.json")), $"{name} has no function.json");
        }
    }

    private static List<JsonElement> Bindings(string function) =>
        [.. RepoFiles.Json("src", "ServerlessRegistry", "Functions", function, "function.json").GetProperty("bindings").EnumerateArray()];
}
