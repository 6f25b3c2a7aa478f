using System.CommandLine;
using Switchboard.Cli.Serve;

namespace Switchboard.Cli;

/// <summary>
/// The <c>switchboard</c> command line. With no command it serves. A mistake on the command line is one line on stderr
/// and exit code 2, and never starts a server; a failure while running is one line and exit code 1 (the stack trace
/// only with <c>--verbose</c>).
/// </summary>
internal static class SwitchboardCommandLine
{
    /// <summary>Exit code for a command line that could not be understood.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure while running (start-up refused, the server refused a request).</summary>
    public const int Failure = 1;

    /// <summary>Valid on every command: stack traces with errors, and the host's own start-up log.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print full details (stack traces) with errors.",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Switchboard: a real-time session server. Run with no command to serve.");
        root.Options.Add(Verbose);
        ServeVerb.Configure(root);
        root.Subcommands.Add(ServeVerb.Create());
        root.Subcommands.Add(TailVerb.Create());
        root.Subcommands.Add(SessionsVerb.Create());
        root.Subcommands.Add(UsageVerb.Create());
        root.Subcommands.Add(AlertsVerb.Create());
        root.Subcommands.Add(WebhooksVerb.Create());
        root.Subcommands.Add(CommandVerb.Create());
        root.Subcommands.Add(ApprovalVerb.Create());
        root.Subcommands.Add(DemoVerb.Create());
        root.Subcommands.Add(KeysVerb.Create());
        root.Subcommands.Add(TokenVerb.Create());
        root.Subcommands.Add(HooksVerb.Create());
        root.Subcommands.Add(McpVerb.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var result = Build().Parse(args);
        if (CommandLineErrors.Describe(result) is { } error)
        {
            await Console.Error.WriteLineAsync("switchboard: " + error);
            return UsageError;
        }

        try
        {
            return await result.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            // Whatever slipped past the commands' own handling still ends as one line, not an abort.
            await ReportAsync(ex, result.GetValue(Verbose));
            return Failure;
        }
    }

    /// <summary>Writes <paramref name="ex"/> as one line (and, with <c>--verbose</c>, the whole exception) to stderr.</summary>
    public static async Task ReportAsync(Exception ex, bool verbose, string? line = null)
    {
        await Console.Error.WriteLineAsync("switchboard: " + (line ?? OneLine(ex.Message)) + (verbose ? "" : Hint(line is null)));
        if (verbose)
        {
            await Console.Error.WriteLineAsync(ex.ToString());
        }
    }

    /// <summary>Folds a message that spans lines into one.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Hint(bool unexpected) => unexpected ? " (run with --verbose for details)" : "";
}
