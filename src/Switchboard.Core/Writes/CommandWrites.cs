using Switchboard.Core.Commands;

namespace Switchboard.Core.Writes;

/// <summary>
/// Issues a command to the producer of a session. The id is chosen by the caller; the issue time and expiry are the
/// store's clock at commit (<paramref name="ExpiresInSeconds"/> from then).
/// </summary>
internal sealed record IssueCommand(string Id, string SessionId, CommandType Type, string? Text, string? Data, int ExpiresInSeconds, string IssuedBy)
    : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [];
}

/// <summary>The producer's answer to a command of its session.</summary>
internal sealed record AcknowledgeCommand(string SessionId, string CommandId, CommandOutcome Outcome, string? Note) : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [CommandId];
}

/// <summary>An operator withdraws a pending command.</summary>
internal sealed record WithdrawCommand(string SessionId, string CommandId) : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [CommandId];
}

/// <summary>Moves a command whose expiry passed to expired, if it is still outstanding then. Issued by the expiry job.</summary>
internal sealed record ExpireCommand(string SessionId, string CommandId) : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => [CommandId];
}

/// <summary>
/// Hands these commands of a session to its producer (what a long-poll answers with), each only if it is still due then
/// (pending, or delivered and past its visibility timeout): it becomes delivered with the next attempt. The result's
/// commands are the ones handed over, in the order issued; a command not among them was not handed over.
/// </summary>
internal sealed record DeliverCommands(string SessionId, IReadOnlyList<string> CommandIds) : RequestWrite(SessionId)
{
    public override IReadOnlyList<string> RequestIds => CommandIds;
}
