using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Cli.Serve;

/// <summary>
/// Turns what stopped the server from starting into one line that says what happened and what to do: the address in
/// use and <c>--urls</c>, the data directory's holder and <c>--data-dir</c>, the missing database and <c>createdb</c>.
/// Anything else is its own message, folded onto one line.
/// </summary>
internal static partial class StartupFailure
{
    /// <summary>The line for <paramref name="failure"/>; <paramref name="connectionString"/> is the PostgreSQL one, if any.</summary>
    public static string Describe(Exception failure, string? connectionString)
    {
        // Settings out of range (the options validators) and Switchboard's own refusals: each problem is already a line.
        if (Settings(failure) is { Count: > 0 } problems)
        {
            return string.Join("\nswitchboard: ", problems.Select(SwitchboardCommandLine.OneLine));
        }

        var ex = Unwrap(failure);
        if (Find<AddressInUseException>(ex) is not null || (ex is IOException && Find<SocketException>(ex) is { SocketErrorCode: SocketError.AddressAlreadyInUse }))
        {
            var address = BindAddress().Match(ex.Message) is { Success: true } m ? m.Groups[1].Value : "the listen address";
            var elsewhere = Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port is > 0 and < 65535
                ? $"{uri.Scheme}://{uri.Host}:{uri.Port + 1}"
                : "http://127.0.0.1:5081";
            return $"{address} is already in use: another program (perhaps another switchboard) listens there. " +
                   $"Stop it, or listen elsewhere with --urls, e.g. --urls {elsewhere}.";
        }

        if (ex is IOException && Find<SocketException>(ex) is { SocketErrorCode: SocketError.AccessDenied })
        {
            var address = BindAddress().Match(ex.Message) is { Success: true } m ? m.Groups[1].Value : "the listen address";
            return $"not allowed to listen on {address} (ports below 1024 need privileges). Choose another port with --urls, e.g. --urls http://127.0.0.1:5080.";
        }

        if (Find<DataDirectoryInUseException>(ex) is { } inUse)
        {
            return $"the data directory {inUse.Directory} is in use by another switchboard ({inUse.Holder ?? "holder unknown"}). " +
                   "Stop that one, or give this one its own directory with --data-dir.";
        }

        if (Find<PostgresException>(ex) is { } pg && connectionString is not null)
        {
            var cs = new NpgsqlConnectionStringBuilder(connectionString);
            var database = cs.Database ?? cs.Username ?? "switchboard";
            var where = $"{cs.Host ?? "localhost"}:{cs.Port}";
            switch (pg.SqlState)
            {
                case PostgresErrorCodes.InvalidCatalogName:
                    return $"the PostgreSQL database \"{database}\" does not exist on {where}. Create it first, e.g. " +
                           $"createdb -h {cs.Host ?? "localhost"} -p {cs.Port}{(cs.Username is { } u ? $" -U {u}" : "")} {database}, then start again " +
                           "(Switchboard creates its tables, not the database).";
                case PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification:
                    return $"PostgreSQL on {where} refused the login of user \"{cs.Username}\" ({pg.MessageText}). Check Username and Password in the connection string.";
            }
        }

        if (ex is StoreUnavailableException unavailable)
        {
            // The store's own message leaves the driver's words out (it may reach HTTP clients); the operator needs them.
            var cause = Innermost(unavailable);
            return SwitchboardCommandLine.OneLine(unavailable.Message.TrimEnd('.') + (ReferenceEquals(cause, unavailable) ? "." : $" ({cause.Message.TrimEnd('.')})."));
        }

        return SwitchboardCommandLine.OneLine(ex.Message);
    }

    /// <summary>The lines of the validation failures and start-up refusals in <paramref name="failure"/>, in order.</summary>
    private static List<string> Settings(Exception failure)
    {
        var ex = Unwrap(failure);
        var all = ex is AggregateException aggregate ? aggregate.InnerExceptions : [ex];
        var lines = new List<string>();
        foreach (var one in all)
        {
            switch (Find<OptionsValidationException>(one) ?? (Exception?)Find<SwitchboardStartupException>(one))
            {
                case OptionsValidationException invalid:
                    lines.AddRange(invalid.Failures);
                    break;
                case SwitchboardStartupException refused:
                    lines.AddRange(refused.Problems);
                    break;
                default:
                    return [];
            }
        }

        return lines;
    }

    /// <summary>The exception that matters: hosting may wrap one failure in an AggregateException.</summary>
    public static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            ex = aggregate.InnerExceptions[0];
        }

        return ex;
    }

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    // Kestrel: "Failed to bind to address http://127.0.0.1:5080: address already in use."
    [GeneratedRegex(@"to address (\S+): ", RegexOptions.IgnoreCase)]
    private static partial Regex BindAddress();
}
