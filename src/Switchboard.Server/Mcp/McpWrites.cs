using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Mcp;

/// <summary>
/// The writes of the steering tools, through the same <see cref="WriteIntake"/> and scope rules as the HTTP API's: a
/// refusal (a session outside the key's scope is one that does not exist) becomes an <see cref="McpRefusal"/> with the
/// API's code and words, and nothing is written.
/// </summary>
internal sealed class McpWrites(WriteIntake writer)
{
    public async Task<WriteResult> WriteAsync(SessionWrite write, McpCaller caller, CancellationToken ct)
    {
        WriteResult result;
        try
        {
            result = await writer.WriteAsync(ScopedWrites.Within(write, caller.Scope), ct);
        }
        catch (RequestException ex)
        {
            throw new McpRefusal(ex.Problem.Code, ex.Message);
        }
        catch (StoreUnavailableException)
        {
            throw new McpRefusal("unavailable", "The store is unavailable, so nothing was written. Retry in a few seconds.");
        }

        return result.Error is { } error ? throw new McpRefusal(error.Code, error.Detail) : result;
    }
}
