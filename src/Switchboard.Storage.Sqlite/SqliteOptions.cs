using Microsoft.Extensions.Options;
using Switchboard.Core.Hosting;

namespace Switchboard.Storage.Sqlite;

/// <summary>The embedded SQLite store as <c>UseSqlite(o => …)</c> configures it (the executable: <c>Switchboard:Sqlite</c>).</summary>
public sealed class SqliteOptions
{
    /// <summary>
    /// Where the database, its lock and the generated token secret live; the node's alone while it runs. Default
    /// <c>./data</c> of the working directory.
    /// </summary>
    public string DataDirectory { get; set; } = SwitchboardDefaults.DataDirectory;

    /// <summary>How commits are made durable. Default <see cref="SqliteDurability.Normal"/>.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Normal;

    /// <summary>The database file inside <see cref="DataDirectory"/>, as a full path.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), SwitchboardDefaults.DatabaseFileName);
}

/// <summary>Refuses <see cref="SqliteOptions"/> the store cannot open, one line per setting, at start.</summary>
internal sealed class SqliteOptionsValidator : IValidateOptions<SqliteOptions>
{
    private const string Section = "Switchboard:Sqlite";

    public ValidateOptionsResult Validate(string? name, SqliteOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add($"{Section}:DataDirectory = '{options.DataDirectory}' is not allowed: give a directory, e.g. ./data.");
        }
        else if (options.DataDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            problems.Add($"{Section}:DataDirectory = '{options.DataDirectory}' is not allowed: it holds characters a path cannot.");
        }

        if (!Enum.IsDefined(options.Durability))
        {
            problems.Add($"{Section}:Durability = {(int)options.Durability} is not allowed: use Normal or Full.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
