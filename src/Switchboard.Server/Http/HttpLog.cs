using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;

namespace Switchboard.Server.Http;

/// <summary>The HTTP API's log messages (<see cref="LogEventIds.Http"/>). Never logs bodies or keys.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(LogEventIds.Http + 0, LogLevel.Error, "{Method} {Path} failed unexpectedly; answered 500", EventName = "Http.RequestCrashed")]
    public static partial void RequestCrashed(ILogger logger, string method, string path, Exception exception);
}
