using Microsoft.AspNetCore.Http;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Transports;

/// <summary>Why a stream connection could not get a slot: the node is stopping, or holds its maximum of connections.</summary>
internal static class ConnectionRefusal
{
    public static ProblemResult For(ConnectionRegistry registry) => registry.IsShuttingDown
        ? new ProblemResult(StatusCodes.Status503ServiceUnavailable, "server_stopping", "Service unavailable",
            "This node is shutting down. Connect to another node, or retry after the restart; a resume by seq loses nothing.")
        {
            RetryAfterSeconds = 2,
        }
        : new ProblemResult(StatusCodes.Status503ServiceUnavailable, "too_many_connections", "Service unavailable",
            $"The server holds its maximum of {registry.MaxConnections} stream connections. Retry later or connect to another node.")
        {
            RetryAfterSeconds = 5,
        };
}
