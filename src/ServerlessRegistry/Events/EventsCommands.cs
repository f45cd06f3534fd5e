using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Events;

/// <summary>
/// <c>events failed</c> lists the dead-lettered deliveries; <c>events redeliver</c> moves them back to the live queue
/// with their tries reset; <c>events endpoints</c> and <c>events endpoint set|remove</c> (EventEndpointCommands.cs)
/// manage destinations. Each runs against the configured storage (extra arguments are configuration, as for serve) or,
/// with --registry, through the admin API, and prints the same either way (--output json: the API's answer).
/// Exit codes: 0 done, 1 the operation failed (one line on stderr), 2 the command line is wrong.
/// </summary>
internal static partial class EventsCommands
{
    private const int OperationFailed = 1;
    private const int CommandLineError = 2;

    public static Command Create()
    {
        var command = new Command("events", "Event destinations and deliveries that failed: list them and send them again.");
        command.Subcommands.Add(FailedCommand());
        command.Subcommands.Add(RedeliverCommand());
        command.Subcommands.Add(EndpointsCommand());
        command.Subcommands.Add(EndpointCommand());
        return command;
    }

    /// <summary>One line per dead letter and destination: ids, destination, tries, last error and the events it carries.</summary>
    internal static string Describe(FailedDeliveryView item)
    {
        var when = item.InsertedOn?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
        if (item.Destination is null)
        {
            return $"{item.MessageId}  {when}  malformed message ({item.Problem}); it cannot be redelivered";
        }

        var events = string.Join(", ", item.Events.Select(e =>
            $"{e.Id} {e.Action} {e.Repository}{(e.Tag is { } tag ? ":" + tag : e.Digest is { } digest ? "@" + digest : "")}"));
        return $"{item.MessageId}  {when}  {item.Destination}  {item.Attempts} {(item.Attempts == 1 ? "try" : "tries")}  " +
               $"last error: {item.LastError ?? "none recorded (moved by the Functions host)"}  events: {events}";
    }

    private static Command FailedCommand()
    {
        var command = new Command("failed", "List deliveries that ran out of tries (the dead-letter queue {prefix}events-poison): message id, when, " +
            "destination, tries, last error, and the events (id, action, repository).") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (parse, ct) => await AdminCli.RunAsync(parse, async channel =>
        {
            var items = await channel.ListAllAsync<FailedDeliveryView>(new AdminCall("listFailedDeliveries"), ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, items);
                return 0;
            }

            var output = parse.InvocationConfiguration.Output;
            if (items.Count == 0)
            {
                await output.WriteLineAsync("No failed deliveries (the dead-letter queue is empty).");
            }

            foreach (var item in items)
            {
                await output.WriteLineAsync(Describe(item));
            }

            return 0;
        }));
        return command;
    }

    private static Command RedeliverCommand()
    {
        var id = new Option<string>("--id") { Description = "The dead letter to send again: its message id, or the id of an event it carries." };
        var all = new Option<bool>("--all") { Description = "Send every failed delivery again." };
        var command = new Command("redeliver", "Move failed deliveries back to the events queue, with their tries reset; the events keep their ids.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(id);
        command.Options.Add(all);
        command.SetAction(async (parse, ct) =>
        {
            var (which, every) = (parse.GetValue(id), parse.GetValue(all));
            if (which is null == !every)
            {
                return await FailAsync(parse, CommandLineError, "say which: --id <message or event id>, or --all.");
            }

            return await AdminCli.RunAsync(parse, async channel =>
            {
                var body = every ? new RedeliverRequest { All = true } : new RedeliverRequest { Ids = [which!] };
                var moved = await channel.CallAsync<RedeliverView>(new AdminCall("redeliverEvents") { Body = body }, ct);
                if (moved.Deliveries == 0 && !every)
                {
                    return await FailAsync(parse, OperationFailed, $"no failed delivery has the id '{which}'; 'events failed' lists them.");
                }

                if (AdminCli.Json(parse))
                {
                    await AdminCli.WriteJsonAsync(parse, moved);
                    return 0;
                }

                return moved.Deliveries == 0
                    ? await WriteAsync(parse, $"Nothing to redeliver (queue {moved.Queue} holds no deliveries).")
                    : await WriteAsync(parse, $"Redelivering {moved.Deliveries} {(moved.Deliveries == 1 ? "delivery" : "deliveries")} ({moved.Events} {(moved.Events == 1 ? "event" : "events")}) " +
                        $"to {string.Join(", ", moved.Destinations)}; the events keep their ids.");
            });
        });
        return command;
    }

    private static async Task<int> WriteAsync(ParseResult parse, string line)
    {
        await parse.InvocationConfiguration.Output.WriteLineAsync(line);
        return 0;
    }

    private static async Task<int> FailAsync(ParseResult parse, int code, string message)
    {
        await parse.InvocationConfiguration.Error.WriteLineAsync($"{RegistryCli.CommandPath(parse)}: {message}");
        return code;
    }
}
