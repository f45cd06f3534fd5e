using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Events.Delivery;

namespace ServerlessRegistry.Events;

/// <summary>
/// <c>events failed</c> lists the dead-lettered deliveries; <c>events redeliver</c> moves them back to the live queue
/// with their tries reset. Both run against the configured storage (extra arguments are configuration, as for serve).
/// Exit codes: 0 done, 1 the operation failed (one line on stderr), 2 the command line is wrong.
/// </summary>
internal static class EventsCommands
{
    private const int OperationFailed = 1;
    private const int CommandLineError = 2;

    public static Command Create()
    {
        var command = new Command("events", "Event deliveries that failed: list them and send them again.");
        command.Subcommands.Add(FailedCommand());
        command.Subcommands.Add(RedeliverCommand());
        return command;
    }

    /// <summary>One line per dead letter and destination: ids, destination, tries, last error and the events it carries.</summary>
    internal static string Describe(DeadLetters.Item item, DeliveryTarget? target)
    {
        var when = item.Message.InsertedOn?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
        if (item.Delivery is not { } delivery || target is null)
        {
            return $"{item.Message.Id}  {when}  malformed message ({item.Problem}); it cannot be redelivered";
        }

        var events = string.Join(", ", delivery.Events.Select(e =>
            $"{e.Id} {e.Action} {e.Target.Repository}{(e.Target.Tag is { } tag ? ":" + tag : e.Target.Digest.Length > 0 ? "@" + e.Target.Digest : "")}"));
        return $"{item.Message.Id}  {when}  {target.Name}  {delivery.Attempt} {(delivery.Attempt == 1 ? "try" : "tries")}  " +
               $"last error: {target.Error ?? "none recorded (moved by the Functions host)"}  events: {events}";
    }

    private static Command FailedCommand()
    {
        var command = new Command("failed", "List deliveries that ran out of tries (the dead-letter queue {prefix}events-poison): message id, when, " +
            "destination, tries, last error, and the events (id, action, repository).") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction((parse, ct) => CliServices.WithAsync(parse, async services =>
        {
            var deadLetters = services.GetRequiredService<DeadLetters>();
            var items = await deadLetters.ListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (items.Count == 0)
            {
                await output.WriteLineAsync($"No failed deliveries (queue {deadLetters.Queue} is empty).");
                return 0;
            }

            foreach (var item in items)
            {
                foreach (var target in item.Delivery?.Destinations ?? [null!])
                {
                    await output.WriteLineAsync(Describe(item, target));
                }
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

            return await CliServices.WithAsync(parse, async services =>
            {
                var deadLetters = services.GetRequiredService<DeadLetters>();
                var moved = await deadLetters.RedeliverAsync(item => every || item.IsNamed(which!), ct);
                if (moved.Count == 0)
                {
                    return every
                        ? await WriteAsync(parse, $"Nothing to redeliver (queue {deadLetters.Queue} holds no deliveries).")
                        : await FailAsync(parse, OperationFailed, $"no failed delivery has the id '{which}'; 'events failed' lists them.");
                }

                var events = moved.Sum(m => m.Delivery!.Events.Count);
                return await WriteAsync(parse, $"Redelivering {moved.Count} {(moved.Count == 1 ? "delivery" : "deliveries")} ({events} {(events == 1 ? "event" : "events")}) " +
                    $"to {string.Join(", ", moved.SelectMany(m => m.Delivery!.Destinations.Select(d => d.Name)).Distinct())}; the events keep their ids.");
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
