namespace Switchboard.Hooks;

/// <summary>The answers Switchboard gives, in each agent's own format (docs/hooks.md, "Answers").</summary>
internal static class HookAnswers
{
    /// <summary>No decision: every agent then follows its own rules.</summary>
    public const string None = "{}";
}
