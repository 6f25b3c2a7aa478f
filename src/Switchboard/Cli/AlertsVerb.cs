using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary><c>switchboard alerts [--all]</c>: open alerts (or every alert) as a table; <c>--ack ID --by WHO [--note …]</c> acknowledges one.</summary>
internal static class AlertsVerb
{
    private static readonly Option<bool> All = new("--all") { Description = "Resolved alerts too, not only open ones." };

    private static readonly Option<string?> Ack = new("--ack") { Description = "Acknowledge the alert with this id (needs --by)." };

    private static readonly Option<string?> By = new("--by") { Description = "Who acknowledges (with --ack)." };

    private static readonly Option<string?> Note = new("--note") { Description = "A note for the acknowledgement (with --ack)." };

    public static Command Create()
    {
        var command = ClientVerb.Create("alerts", "Open alerts, newest first; --ack ID --by WHO acknowledges one.", RunAsync, All, Ack, By, Note);
        command.Validators.Add(r =>
        {
            if (r.GetValue(Ack) is not null && string.IsNullOrWhiteSpace(r.GetValue(By)))
            {
                r.AddError("--ack needs --by: who acknowledges the alert.");
            }
            else if (r.GetValue(Ack) is null && (r.GetValue(By) is not null || r.GetValue(Note) is not null))
            {
                r.AddError("--by and --note go with --ack ID.");
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        if (result.GetValue(Ack) is { } id)
        {
            var acked = await client.AcknowledgeAlertAsync(id, result.GetValue(By)!, result.GetValue(Note), cancellationToken);
            await output.WriteLineAsync($"Acknowledged {acked.Id} ({acked.RuleName}, {acked.Subject}) as {acked.AcknowledgedBy}.");
            return 0;
        }

        var list = await client.ListAlertsAsync(result.GetValue(All) ? AlertStateFilter.All : AlertStateFilter.Open, 1000, cancellationToken);
        var table = new TextTable(["ID", "SEVERITY", "RULE", "SUBJECT", "SINCE (UTC)", "STATE", "ACK", "MESSAGE"]);
        foreach (var a in list.Alerts)
        {
            table.Add([
                a.Id, a.Severity, a.RuleName, a.Subject, a.RaisedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                a.State, a.AcknowledgedBy ?? "-", TextTable.OneLine(a.Message, 80),
            ]);
        }

        if (table.Count == 0)
        {
            await output.WriteLineAsync(result.GetValue(All) ? "No alerts." : "No open alerts.");
        }
        else
        {
            table.WriteTo(output);
        }

        return 0;
    }
}
