using System.CommandLine;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard webhooks remove|disable|enable ID</c> and <c>switchboard webhooks replay ID --from-seq N</c>: one
/// endpoint, by its id. An unknown id is one line on stderr and exit code 1, whichever the command.
/// </summary>
internal static partial class WebhooksVerb
{
    private static readonly Argument<string> EndpointId = new("id") { Description = "The endpoint's id (the ID column of 'switchboard webhooks')." };

    private static readonly Option<long?> FromSeq = CreateFromSeq();

    private static Option<long?> CreateFromSeq()
    {
        var option = OptionValues.Seq("--from-seq", "Deliver again every event from this seq on; it must still be in the log (1 to the next seq).");
        option.Required = true;
        return option;
    }

    private static void AddRemove(Command webhooks) => ClientVerb.AddSubcommand(webhooks, "remove", "Remove a webhook endpoint: it receives nothing more, and its cursor is gone.",
        async (client, result, cancellationToken) =>
        {
            var id = result.GetValue(EndpointId)!;
            if (!await client.DeleteWebhookAsync(id, cancellationToken))
            {
                return await NotFoundAsync(id);
            }

            await Console.Out.WriteLineAsync($"Removed {id}.");
            return 0;
        },
        EndpointId);

    private static void AddSetEnabled(Command webhooks, bool enabled) => ClientVerb.AddSubcommand(webhooks,
        enabled ? "enable" : "disable",
        enabled
            ? "Enable a webhook endpoint again: it delivers from its cursor on."
            : "Disable a webhook endpoint: it keeps its cursor and receives nothing until enabled.",
        (client, result, cancellationToken) => SetEnabledAsync(client, result.GetValue(EndpointId)!, enabled, cancellationToken),
        EndpointId);

    /// <summary>How many times disable or enable reads the endpoint again after someone else changed it between its read and write.</summary>
    private const int SetEnabledAttempts = 5;

    private static async Task<int> SetEnabledAsync(SwitchboardClient client, string id, bool enabled, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await client.GetWebhookAsync(id, cancellationToken) is not { } endpoint)
            {
                return await NotFoundAsync(id);
            }

            var changed = endpoint.Enabled != enabled;
            if (changed)
            {
                // PUT replaces the whole configuration: send back every field as read, with only the flag changed (the
                // secret, which a read never shows, stays when left out), and only over the version read, so that an edit
                // made since is not overwritten: on a conflict the flag is applied again to the endpoint as it is now.
                var spec = new WebhookSpec(endpoint.Url, endpoint.Id, null, endpoint.EventTypes, endpoint.Labels, endpoint.AlertSeverities,
                    endpoint.Format, enabled);
                try
                {
                    if (await client.ReplaceWebhookAsync(id, spec, endpoint.Version, cancellationToken) is not { } replaced)
                    {
                        return await NotFoundAsync(id); // removed between the read and the write
                    }

                    endpoint = replaced;
                }
                catch (SwitchboardApiException ex) when (ex.Code == "version_conflict" && attempt < SetEnabledAttempts)
                {
                    continue;
                }
            }

            return await ReportSetEnabledAsync(id, enabled, changed, endpoint);
        }
    }

    private static async Task<int> ReportSetEnabledAsync(string id, bool enabled, bool changed, Webhook endpoint)
    {
        var where = $"cursor {Number(endpoint.Cursor)}, lag {Number(endpoint.Lag)}";
        await Console.Out.WriteLineAsync((enabled, changed) switch
        {
            (true, true) => $"Enabled {id}: {endpoint.State}, {where}.",
            (true, false) => $"{id} was already enabled: {endpoint.State}, {where}.",
            (false, true) => $"Disabled {id} ({where}): it receives nothing until 'switchboard webhooks enable {id}'.",
            (false, false) => $"{id} was already disabled ({where}).",
        });
        return 0;
    }

    private static void AddReplay(Command webhooks) => ClientVerb.AddSubcommand(webhooks, "replay",
        "Deliver again every event from --from-seq on, in order, and make a failing endpoint active.",
        async (client, result, cancellationToken) =>
        {
            var id = result.GetValue(EndpointId)!;
            var from = result.GetValue(FromSeq)!.Value;
            Webhook endpoint;
            try
            {
                endpoint = await client.ReplayWebhookAsync(id, from, cancellationToken);
            }
            catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
            {
                return await NotFoundAsync(id);
            }

            await Console.Out.WriteLineAsync(
                $"Replaying {id} from seq {Number(from)}: {State(endpoint)}, cursor {Number(endpoint.Cursor)}, lag {Number(endpoint.Lag)}.");
            return 0;
        },
        EndpointId, FromSeq);

    /// <summary>The one line for an id the server does not know, the same for every command (the SDK answers false or null).</summary>
    private static async Task<int> NotFoundAsync(string id)
    {
        await Console.Error.WriteLineAsync($"switchboard: there is no webhook endpoint '{id}'; 'switchboard webhooks' lists them.");
        return ClientVerb.Refused;
    }
}
