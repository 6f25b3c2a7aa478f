using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard webhooks [--watch]</c>: the webhook endpoints with their delivery state as a table; <c>--watch</c>
/// follows the <c>webhooks</c> topic and prints the table again, headed by the time the server read it, each time the
/// server pushes a changed list. Its subcommands change them: <c>add</c>, <c>remove</c>, <c>disable</c>, <c>enable</c>
/// and <c>replay</c>.
/// </summary>
internal static partial class WebhooksVerb
{
    private static readonly Option<bool> Watch = new("--watch")
    {
        Description = "Keep following: print the table again whenever an endpoint, a delivery attempt or the lag changes (Ctrl+C stops).",
    };

    public static Command Create()
    {
        var webhooks = ClientVerb.Create("webhooks",
            "Webhook endpoints and how far each delivered; --watch follows them live; add, remove, disable, enable and replay change them.",
            RunAsync, Watch);
        AddAdd(webhooks);
        AddRemove(webhooks);
        AddSetEnabled(webhooks, enabled: false);
        AddSetEnabled(webhooks, enabled: true);
        AddReplay(webhooks);
        return webhooks;
    }

    private static async Task<int> RunAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        if (!result.GetValue(Watch))
        {
            Write(output, await client.ListWebhooksAsync(cancellationToken));
            return 0;
        }

        var first = true;
        await foreach (var item in client.SubscribeAsync("webhooks", null, null, cancellationToken))
        {
            // The join's snapshot carries no list; the push that follows it does, and then each change.
            if (item is not WebhooksEvent pushed)
            {
                continue;
            }

            if (!first)
            {
                await output.WriteLineAsync();
            }

            first = false;
            await output.WriteLineAsync($"# {pushed.At.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}");
            Write(output, pushed.Webhooks);
        }

        return 0;
    }

    private static void Write(TextWriter output, IReadOnlyList<Webhook> webhooks)
    {
        if (webhooks.Count == 0)
        {
            output.WriteLine("No webhook endpoints.");
            return;
        }

        var table = new TextTable("ID", "URL", "FORMAT", "STATE", "LAG", "ATTEMPTS", "FAILURES", "LAST ATTEMPT (UTC)", "LAST ERROR");
        table.RightAligned.UnionWith([4, 5, 6]);
        foreach (var w in webhooks)
        {
            table.Add(
                w.Id, w.Url, w.Format, State(w), Number(w.Lag), Number(w.Attempts), Number(w.Failures),
                w.LastAttemptAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                w.LastError is { } e ? TextTable.OneLine(e, 60) : "-");
        }

        table.WriteTo(output);
    }

    /// <summary>What an endpoint is doing: <c>active</c>, <c>failing</c>, or <c>disabled</c> (which keeps its own state).</summary>
    public static string State(Webhook w) => w.Enabled ? w.State : "disabled";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
