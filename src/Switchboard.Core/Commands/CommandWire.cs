namespace Switchboard.Core.Commands;

/// <summary>Wire names of command types, states and outcomes.</summary>
internal static class CommandWire
{
    /// <summary>Every type, for messages and the API document.</summary>
    public static readonly string[] Types = ["cancel", "pause", "resume", "message"];

    /// <summary>Every state, for messages and the API document.</summary>
    public static readonly string[] States = ["pending", "delivered", "acknowledged", "expired", "withdrawn"];

    /// <summary>Every outcome, for messages and the API document.</summary>
    public static readonly string[] Outcomes = ["done", "rejected", "failed"];

    /// <summary>The types an alert rule's action may issue.</summary>
    public static readonly string[] ActionTypes = ["cancel", "pause", "message"];

    public static string ToWire(this CommandType type) => Types[(int)type];

    public static string ToWire(this CommandState state) => States[(int)state];

    public static string ToWire(this CommandOutcome outcome) => Outcomes[(int)outcome];

    public static bool TryParseType(string? text, out CommandType type) => TryParse(Types, text, out type);

    public static bool TryParseState(string? text, out CommandState state) => TryParse(States, text, out state);

    public static bool TryParseOutcome(string? text, out CommandOutcome outcome) => TryParse(Outcomes, text, out outcome);

    private static bool TryParse<T>(string[] names, string? text, out T value)
        where T : struct, Enum
    {
        var index = Array.IndexOf(names, text);
        value = index < 0 ? default : (T)Enum.ToObject(typeof(T), index);
        return index >= 0;
    }
}
