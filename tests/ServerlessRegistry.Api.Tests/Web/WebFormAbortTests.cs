using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests.Web;

/// <summary>A browser that goes away halfway through sending a page's form is not the registry's failure: nothing is logged.</summary>
public sealed class WebFormAbortTests
{
    [Fact]
    public async Task ClientThatDropsMidFormIsNotLoggedAsAFailure()
    {
        var captured = new CapturingLoggerProvider();
        var server = await RegistryServer.StartAsync(services: services => services.AddSingleton<ILoggerProvider>(captured));
        try
        {
            captured.Lines.Clear(); // start-up notices
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
                var stream = tcp.GetStream();
                var head = $"POST /r/team/app/-/delete HTTP/1.1\r\nHost: {server.HostPort}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "__RequestVerificationToken=abc&tag=" + new string('a', 100)));
                await stream.FlushAsync();
                await Task.Delay(200); // let the page start reading the form before the connection drops
                tcp.Client.LingerState = new LingerOption(true, 0); // a reset, as a closed tab sends
            }
        }
        finally
        {
            // Stopping waits for the request to finish, so every line it logs has been written.
            await server.DisposeAsync();
        }

        // The registry's own lines only: how Kestrel reports a reset connection is its business.
        var bad = captured.Lines.Where(l => l.Level >= LogLevel.Warning && l.Category.StartsWith("ServerlessRegistry", StringComparison.Ordinal)).ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad.Select(l => $"{l.Level} {l.Category}: {l.Message}")));
    }
}
