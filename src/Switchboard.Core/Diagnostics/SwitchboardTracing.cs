using System.Diagnostics;

namespace Switchboard.Core.Diagnostics;

/// <summary>
/// Switchboard's one <see cref="ActivitySource"/>, named <see cref="SourceName"/>. Its spans (names and tags in the
/// README, "Logging and tracing"): a write (<c>switchboard.write</c>: validation, then waiting for the group commit), the
/// store commit it joined (<c>switchboard.commit</c>), the fan-out of a commit's events
/// (<c>switchboard.fanout</c>, linked to the commit), and a channel join (<c>switchboard.join</c>). An exporter picks
/// them up with <c>AddSource("Switchboard")</c>; with no listener, starting a span costs a null check.
/// </summary>
public static class SwitchboardTracing
{
    /// <summary>The source's name, for <c>TracerProviderBuilder.AddSource</c> or an <see cref="ActivityListener"/>.</summary>
    public const string SourceName = "Switchboard";

    /// <summary>A write through the HTTP API, the batch endpoint or the in-process producer.</summary>
    public const string Write = "switchboard.write";

    /// <summary>One group commit: a store transaction carrying one or more writes.</summary>
    public const string Commit = "switchboard.commit";

    /// <summary>The live loop fanning out (part of) one commit's events to subscribers; linked to the commit.</summary>
    public const string Fanout = "switchboard.fanout";

    /// <summary>A Phoenix channel join: parse, authorize, snapshot or replay, the reply.</summary>
    public const string Join = "switchboard.join";

    internal static ActivitySource Source { get; } = new(SourceName);
}
