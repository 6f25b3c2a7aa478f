using System.CommandLine;
using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard webhooks add URL [--id …] [--format json|slack] [--types …] [--label k=v]… [--severities …]
/// [--secret …] [--disabled]</c>: the fields of <c>POST /api/webhooks</c>; the server checks them and says what is wrong.
/// </summary>
internal static partial class WebhooksVerb
{
    private static readonly Argument<string> Url = new("url") { Description = "Where to POST events: an absolute http(s) URL." };

    private static readonly Option<string?> Id = new("--id") { Description = "The endpoint's id, 1–64 characters from [A-Za-z0-9._:-] (default: one is generated)." };

    private static readonly Option<string?> Format = new("--format")
    {
        Description = "json (the event envelope, the default) or slack ({\"text\": …} for Slack-compatible incoming webhooks).",
    };

    private static readonly Option<string[]?> Types = OptionValues.CommaList("--types",
        "Only these event types, comma-separated (default all): session_created, alert_raised, approval_requested, …");

    private static readonly Option<Dictionary<string, string>?> Labels = ClientVerb.LabelOption(
        "Only events of sessions carrying this label (key=value; repeatable: all of them). Fleet events then never match.");

    private static readonly Option<string[]?> Severities = OptionValues.CommaList("--severities",
        "Only alert events of these severities, comma-separated (default all); other types are not affected.");

    private static readonly Option<string?> Secret = new("--secret")
    {
        Description = "The HMAC key receivers check Switchboard-Signature with, 16–256 characters (default: one is generated and printed once).",
    };

    private static readonly Option<bool> Disabled = new("--disabled") { Description = "Create it disabled: it keeps its place in the log and receives nothing until enabled." };

    private static void AddAdd(Command webhooks) => ClientVerb.AddSubcommand(webhooks, "add", "Add a webhook endpoint; it receives the events committed after it is added.",
        AddAsync, Url, Id, Format, Types, Labels, Severities, Secret, Disabled);

    private static async Task<int> AddAsync(SwitchboardClient client, ParseResult result, CancellationToken cancellationToken)
    {
        var given = result.GetValue(Secret);
        var spec = new WebhookSpec(result.GetValue(Url)!, result.GetValue(Id), given, result.GetValue(Types), result.GetValue(Labels),
            result.GetValue(Severities), result.GetValue(Format) ?? "json", !result.GetValue(Disabled));
        var created = await client.CreateWebhookAsync(spec, cancellationToken);
        var output = Console.Out;
        await output.WriteLineAsync($"Added webhook endpoint {created.Id}.");
        (string Name, string Value)[] rows =
        [
            ("id", created.Id),
            ("url", created.Url),
            ("format", created.Format),
            ("state", $"{State(created)}, cursor {Number(created.Cursor)} (it receives the events after this seq)"),
            ("events", created.EventTypes.Count == 0 ? "all types" : string.Join(", ", created.EventTypes)),
            ("labels", created.Labels.Count == 0 ? "any session" : string.Join(", ", created.Labels.Select(l => $"{l.Key}={l.Value}"))),
            ("severities", created.AlertSeverities.Count == 0 ? "all" : string.Join(", ", created.AlertSeverities)),
        ];
        foreach (var (name, value) in rows)
        {
            await output.WriteLineAsync($"  {name,-11}{value}");
        }

        if (given is null && created.Secret is { } secret)
        {
            // The create's answer is the only one that carries it: say so, or it is lost.
            await output.WriteLineAsync($"  {"secret",-11}{secret} (shown only now: receivers check Switchboard-Signature with it)");
        }

        return 0;
    }
}
