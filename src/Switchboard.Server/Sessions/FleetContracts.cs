using System.Text.Json;
using Switchboard.Server.Http;

namespace Switchboard.Server.Sessions;

// The fleet's flag, its summary and the event log's reads (see Http/Contracts).

internal sealed record FleetResponse(bool IsPaused) : IResponse;

internal sealed record SummaryResponse(
    long AsOfSeq, long ActiveCount, long TotalCount, Dictionary<string, long> Counts, long TasksRunning, long InputTokens,
    long OutputTokens, long TotalTokens, decimal EstimatedCostUsd, bool IsPaused, long DurationSeconds, string Epoch) : IResponse;

internal sealed record EventEnvelope(long Seq, string Epoch, string Type, string? SessionId, DateTimeOffset At, JsonElement Data) : IResponse;

internal sealed record EventsResponse(string Epoch, long HeadSeq, List<EventEnvelope> Events, long NextSince, bool HasMore) : IResponse;
