namespace Switchboard.Core.Commands;

/// <summary>What an alert rule's action issues about the session an alert is raised about (docs/commands.md).</summary>
internal sealed record CommandAction(CommandType Type, string? Text);
