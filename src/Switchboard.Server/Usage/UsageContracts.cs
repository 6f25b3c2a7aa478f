using Switchboard.Server.Http;

namespace Switchboard.Server.Usage;

// /api/usage's response (see Http/Contracts).

internal sealed record UsagePoint(
    DateTimeOffset Start, long InputTokens, long OutputTokens, long TotalTokens, decimal CostUsd, long SessionsCreated,
    long SessionsTerminated, long SessionsErrored, decimal BusySeconds, long PeakActiveSessions) : IResponse;

internal sealed record UsageSeries(Dictionary<string, string> Group, List<UsagePoint> Points) : IResponse;

internal sealed record UsageResponse(
    string Bucket, string GroupBy, DateTimeOffset Since, DateTimeOffset Until, string Epoch, long AsOfSeq, List<UsageSeries> Series) : IResponse;
