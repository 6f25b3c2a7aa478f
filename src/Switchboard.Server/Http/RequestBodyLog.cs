using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Http;

/// <summary>The log of request bodies' memory (<see cref="LogEventIds.Http"/>). Never logs bodies.</summary>
internal static partial class RequestBodyLog
{
    [LoggerMessage(LogEventIds.Http + 60, LogLevel.Warning,
        "{Refused} requests were refused with 503: request bodies in flight hold {InFlight} of the node's {Limit}-byte budget (Switchboard:Http:MaxInFlightBodyBytes)",
        EventName = "Http.BodyBudgetFull")]
    public static partial void BudgetFull(ILogger logger, long refused, long inFlight, long limit);
}
