using System.Text.Json;
using Switchboard.Core.Commands;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Responses;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Commands;

/// <summary>Turns command request JSON and query strings into writes and filters; every refusal names the field.</summary>
internal static class CommandRequests
{
    private static readonly string[] IssueFields = Contracts.Fields<CommandRequest>();
    private static readonly string[] AckFields = Contracts.Fields<CommandAckRequest>();
    private static readonly string[] ActionFields = Contracts.Fields<AlertAction>();

    /// <summary><c>{type, text?, data?, expires_in_seconds?}</c> as a write with a fresh command id.</summary>
    public static IssueCommand Issue(string sessionId, JsonElement body, string issuedBy, DateTimeOffset now)
    {
        var f = new FieldReader(body, IssueFields);
        var type = Type(f.String("type"), "type", CommandWire.Types);
        var data = body.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Null ? null : f.JsonObject("data");
        var write = new IssueCommand(Command.NewId(now), sessionId, type, f.NullableString("text").Value, data,
            f.Int("expires_in_seconds") ?? CommandLimits.DefaultExpirySeconds, issuedBy);
        return CommandValidator.Issue(write.Type, write.Text, write.Data, write.ExpiresInSeconds) is { } error
            ? throw new RequestException(ProblemResult.From(error))
            : write;
    }

    /// <summary><c>{outcome, note?}</c>.</summary>
    public static AcknowledgeCommand Acknowledge(string sessionId, string commandId, JsonElement body)
    {
        var f = new FieldReader(body, AckFields);
        var text = f.String("outcome") ?? throw RequestException.Field("outcome", $"'outcome' is required: one of {string.Join(", ", CommandWire.Outcomes)}.");
        if (!CommandWire.TryParseOutcome(text, out var outcome))
        {
            throw RequestException.Field("outcome", $"'outcome' must be one of {string.Join(", ", CommandWire.Outcomes)}; got '{Clip(text)}'.");
        }

        var note = f.NullableString("note").Value;
        return CommandValidator.Note(note) is { } error ? throw new RequestException(ProblemResult.From(error)) : new AcknowledgeCommand(sessionId, commandId, outcome, note);
    }

    /// <summary>An alert rule's <c>action: {type, text?}</c>; null when absent or null.</summary>
    public static CommandAction? Action(JsonElement rule)
    {
        if (!rule.TryGetProperty("action", out var action) || action.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var f = new FieldReader(action, ActionFields, "action.");
        var type = Type(f.String("type"), "action.type", CommandWire.ActionTypes);
        return new CommandAction(type, f.NullableString("text").Value);
    }

    /// <summary><c>state=pending,delivered</c>: the states to list; null for all.</summary>
    public static List<CommandState>? States(string? query)
    {
        List<CommandState>? states = null;
        foreach (var part in (query ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!CommandWire.TryParseState(part, out var state))
            {
                throw RequestException.Field("state", $"'state' must be one or more of {string.Join(", ", CommandWire.States)} (comma-separated); got '{Clip(part)}'.");
            }

            (states ??= []).Add(state);
        }

        return states;
    }

    private static CommandType Type(string? text, string field, string[] allowed)
    {
        if (text is null)
        {
            throw RequestException.Field(field, $"'{field}' is required: one of {string.Join(", ", allowed)}.");
        }

        if (!allowed.Contains(text) || !CommandWire.TryParseType(text, out var type))
        {
            throw RequestException.Field(field, $"'{field}' must be one of {string.Join(", ", allowed)}; got '{Clip(text)}'.");
        }

        return type;
    }

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
