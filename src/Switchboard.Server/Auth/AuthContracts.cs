using Switchboard.Server.Http;

namespace Switchboard.Server.Auth;

// /api/auth's and /api/tokens' requests and responses (see Http/Contracts).

internal sealed record AuthResponse(bool Enabled, string? Scope, string? Role, string? Name, Dictionary<string, string>? Labels) : IResponse;

internal sealed record TokenRequest(List<string> Topics, Dictionary<string, string> Labels, long TtlSeconds) : IRequest;

internal sealed record TokenResponse(string Token, string TokenType, DateTimeOffset ExpiresAt, long ExpiresIn, List<string> Topics, Dictionary<string, string>? Labels) : IResponse;
