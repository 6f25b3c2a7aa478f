using Switchboard.Core.Hosting;

namespace Switchboard.Core.Commands;

/// <summary>
/// The settings a store's write transaction needs to decide about commands (<c>Switchboard:Commands</c>). They travel with
/// the writes that need them (<see cref="Switchboard.Core.Writes.SessionWrite.CommandPolicy"/>, stamped by the server's writer), like
/// <c>MaxTreeDepth</c>, because the rule is applied in Core over the rows the store read, not by the store.
/// </summary>
/// <param name="MaxOutstanding">
/// The most commands one session may have outstanding (pending or delivered); an issue past it is refused, and one
/// hand-over takes at most this many.
/// </param>
/// <param name="RedeliverAfter">A hand-over's visibility timeout: a command not acknowledged within it is handed over again.</param>
internal sealed record CommandPolicy(int MaxOutstanding, TimeSpan RedeliverAfter)
{
    /// <summary>The configuration key of <see cref="MaxOutstanding"/>, for messages.</summary>
    public const string MaxOutstandingSetting = "Switchboard:Commands:MaxOutstandingPerSession";

    /// <summary>The defaults, for writes no server stamped (tests, the in-process producer's writes).</summary>
    public static readonly CommandPolicy Default = new(SwitchboardDefaults.CommandMaxOutstandingPerSession, SwitchboardDefaults.CommandRedeliverAfter);
}
