using System.Net.Sockets;
using Npgsql;
using Switchboard.Core.Storage;

namespace Switchboard.Storage.Postgres;

/// <summary>Which failures mean "the database is unavailable" and which of those are worth one retry.</summary>
internal static class PostgresErrors
{
    /// <summary>Anything the database or the connection to it raised; the store reports all of them as unavailable.</summary>
    public static bool IsStoreFailure(Exception ex) =>
        ex is NpgsqlException or TimeoutException or SocketException or IOException;

    /// <summary>
    /// The connection was lost, the server is restarting, or a transient conflict occurred: a fresh connection may
    /// well succeed. Pooled connections that died with the server fail exactly like this on first use.
    /// </summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        NpgsqlException n => n.IsTransient,
        TimeoutException or SocketException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// The database refused a value the write would store: a data exception (a NUL character in text, a value out of
    /// range), a constraint, or a program limit (an index entry too large). Sending the same again cannot succeed.
    /// </summary>
    public static bool IsRefusal(PostgresException ex) => ex.SqlState.Length == 5 && ex.SqlState[..2] is "22" or "23" or "54";

    /// <summary>
    /// The message reaches HTTP clients, so it says what failed without the driver's text (which can name hosts and
    /// users); the exception itself stays attached for the logs.
    /// </summary>
    public static StoreUnavailableException Unavailable(string what, Exception ex)
    {
        var why = ex switch
        {
            PostgresException pg => $"the server refused it (SQLSTATE {pg.SqlState})",
            TimeoutException or NpgsqlException { InnerException: TimeoutException } => "it timed out",
            _ => "the database could not be reached",
        };
        return new StoreUnavailableException($"PostgreSQL could not {what}: {why}.", ex);
    }
}
