using Switchboard.Server.Http;

namespace Switchboard.Server.Health;

// /healthz's and /readyz's answers (see Http/Contracts).

internal sealed record HealthResponse(string Status) : IResponse;

/// <summary><c>status</c> is <c>ready</c>, or the first reason the node is not (then the answer is 503).</summary>
internal sealed record ReadinessResponse(string Status, LiveReadiness Live, StoreReadiness Store, Dictionary<string, LoopReadiness> Loops) : IResponse;

internal sealed record LiveReadiness(string Status, long HeadSeq, long PendingEvents, long MsSinceProgress) : IResponse;

internal sealed record StoreReadiness(bool Writable, string? WriteFailure) : IResponse;

internal sealed record LoopReadiness(string Status, long Restarts, string? Failure) : IResponse;
