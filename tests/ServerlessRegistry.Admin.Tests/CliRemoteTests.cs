using System.Text.Json;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>
/// token, usage and gc on the command line: the same stdout against storage and with --registry through the admin API,
/// --output json for scripts, and one line with exit 1 when --registry has no usable credentials.
/// </summary>
public sealed class CliRemoteTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Token_list_usage_and_gc_print_the_same_against_storage_and_through_the_registry()
    {
        await MaintenanceAdminTests.PushImageAsync(fixture, "cli/app");
        foreach (var args in new[] { new[] { "token", "list" }, ["usage"], ["gc", "--dry-run", "--grace-period", "0s"] })
        {
            var local = await fixture.CliAsync(remote: false, args);
            var remote = await fixture.CliAsync(remote: true, args);
            Assert.True(local.Code == 0 && remote.Code == 0, local.Error + remote.Error);
            Assert.Equal(WithoutElapsed(local.Output), WithoutElapsed(remote.Output));
            Assert.Contains(args[0] == "token" ? "ops-admin\t" : args[0] == "usage" ? "cli/app" : "Dry run: nothing was deleted.", remote.Output, StringComparison.Ordinal);
        }

        var gc = await fixture.CliAsync(remote: true, ["gc", "--dry-run", "--grace-period", "0s"]);
        Assert.StartsWith("gc: warning: grace period 00:00:00 is below", gc.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_json_prints_what_the_admin_API_answers()
    {
        var tokens = await fixture.CliAsync(remote: true, ["token", "list", "--output", "json"]);
        Assert.Contains(JsonDocument.Parse(tokens.Output).RootElement.EnumerateArray(), t => t.GetProperty("name").GetString() == "ops-admin");
        var usage = await fixture.CliAsync(remote: false, ["usage", "--output", "json"]);
        Assert.True(JsonDocument.Parse(usage.Output).RootElement.GetProperty("totals").GetProperty("repositories").GetInt32() >= 0);
        var gc = await fixture.CliAsync(remote: true, ["gc", "--dry-run", "--output", "json"]);
        Assert.True(JsonDocument.Parse(gc.Output).RootElement.GetProperty("dryRun").GetBoolean());

        var name = "cli-json-" + Guid.NewGuid().ToString("N")[..8];
        var created = await fixture.CliAsync(remote: true, ["token", "create", "--name", name, "--repository", "cli/*", "--actions", "pull,push", "--output", "json"]);
        Assert.StartsWith("srt_", JsonDocument.Parse(created.Output).RootElement.GetProperty("secret").GetString(), StringComparison.Ordinal);
        var duplicate = await fixture.CliAsync(remote: true, ["token", "create", "--name", name, "--repository", "x"]);
        Assert.Equal(1, duplicate.Code);
        Assert.Contains("exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Equal((0, $"Revoked access token '{name}'.\n"), Normalized(await fixture.CliAsync(remote: true, ["token", "revoke", "--name", name])));
        Assert.Equal((1, $"No access token named '{name}'.\n"), Normalized(await fixture.CliAsync(remote: true, ["token", "revoke", "--name", name])));
    }

    [Fact]
    public async Task Without_admin_credentials_or_over_plain_http_the_command_line_says_so_in_one_line()
    {
        var push = await fixture.CliAsync(remote: true, ["token", "list"], new Dictionary<string, string?> { ["REGISTRY_ADMIN_TOKEN"] = fixture.PushToken });
        Assert.Equal(1, push.Code);
        Assert.Contains("REGISTRY_ADMIN_TOKEN", OneLine(push.Error), StringComparison.Ordinal);
        Assert.Empty(push.Output);

        var none = await fixture.CliAsync(remote: true, ["usage"], new Dictionary<string, string?>());
        Assert.Equal(1, none.Code);
        Assert.Contains("needs credentials", OneLine(none.Error), StringComparison.Ordinal);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ServerlessRegistry.Cli.RegistryCli.RunAsync(["token", "list", "--registry", "http://example.org"], output, error, _ => fixture.AdminToken);
        Assert.Equal(1, code);
        Assert.Contains("plain http", OneLine(error.ToString()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_Entra_admin_signed_in_with_az_can_administer()
    {
        var bin = Directory.CreateTempSubdirectory("fake-az-");
        try
        {
            var token = fixture.EntraToken("Registry.Admin");
            if (OperatingSystem.IsWindows())
            {
                await File.WriteAllTextAsync(Path.Combine(bin.FullName, "az.cmd"), $"@echo {token}\r\n");
            }
            else
            {
                var az = Path.Combine(bin.FullName, "az");
                await File.WriteAllTextAsync(az, $"#!/bin/sh\necho '{token}'\n");
                File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var env = new Dictionary<string, string?> { ["REGISTRY_ENTRA_RESOURCE"] = "api://serverless-registry-test", ["PATH"] = bin.FullName };
            var run = await fixture.CliAsync(remote: true, ["token", "list"], env);
            Assert.True(run.Code == 0, run.Error);
            Assert.Contains("ops-admin\t", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    /// <summary>The elapsed time of a gc run is the one line two runs may print differently.</summary>
    private static string WithoutElapsed(string output) =>
        string.Join('\n', output.Split('\n').Where(l => !l.TrimStart().StartsWith("elapsed", StringComparison.Ordinal)));

    private static (int, string) Normalized((int Code, string Output, string Error) run) => (run.Code, run.Output.Replace("\r\n", "\n", StringComparison.Ordinal));

    private static string OneLine(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "stderr: " + error);
        return lines[0];
    }
}
