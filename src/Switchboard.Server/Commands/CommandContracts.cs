using System.Text.Json;
using Switchboard.Server.Http;

namespace Switchboard.Server.Commands;

// The commands' requests and responses (see Http/Contracts); the command itself is the shared Http/CommandResponse.

[RequiredFields("type")]
internal sealed record CommandRequest(string Type, string? Text, JsonElement? Data, int ExpiresInSeconds) : IRequest;

[RequiredFields("outcome")]
internal sealed record CommandAckRequest(string Outcome, string? Note) : IRequest;

internal sealed record CommandListResponse(List<CommandResponse> Commands, long AsOfSeq) : IResponse;

/// <summary>
/// The command a rule issues to the session an alert of it is raised about, once per alert (docs/commands.md). Here rather
/// than with the rules: it is a command, parsed by <see cref="CommandRequests"/>.
/// </summary>
[RequiredFields("type")]
internal sealed record AlertAction(string Type, string? Text) : IRequest;
