namespace Switchboard.Core.Hosting;

/// <summary>
/// Switchboard cannot start as configured: no store was chosen, a setting is out of range, the token secret is unusable.
/// The message is one line per problem that says what to change; the executable prints it without a stack trace.
/// </summary>
public sealed class SwitchboardStartupException : Exception
{
    /// <summary>Creates the exception for one or more problems, each a line.</summary>
    public SwitchboardStartupException(IEnumerable<string> problems, Exception? inner = null)
        : this([.. problems], inner)
    {
    }

    /// <summary>Creates the exception for one problem.</summary>
    public SwitchboardStartupException(string problem, Exception? inner = null)
        : this([problem], inner)
    {
    }

    private SwitchboardStartupException(string[] problems, Exception? inner)
        : base(string.Join('\n', problems), inner)
    {
        Problems = problems;
    }

    /// <summary>Each problem, one line apiece.</summary>
    public IReadOnlyList<string> Problems { get; }
}
