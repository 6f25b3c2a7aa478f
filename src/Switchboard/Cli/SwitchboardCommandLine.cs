using System.CommandLine;

namespace Switchboard.Cli;

/// <summary>The <c>switchboard</c> command line. With no command it serves.</summary>
internal static class SwitchboardCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Switchboard: a real-time session server. Run with no command to serve.");
        ServeCommand.Configure(root);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(TailCommand.Create());
        root.Subcommands.Add(SessionsCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }
}
