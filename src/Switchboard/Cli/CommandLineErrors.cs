using System.CommandLine;
using System.CommandLine.Parsing;

namespace Switchboard.Cli;

/// <summary>
/// Turns a parse result into the one line a user needs, or null when it is fine: unknown commands and options with a
/// "did you mean", values in the option's own terms (never a .NET type name), a missing subcommand.
/// </summary>
internal static class CommandLineErrors
{
    public static string? Describe(ParseResult result)
    {
        if (result.Action is { ClearsParseErrors: true })
        {
            return null; // --help and --version win over everything else
        }

        var command = result.CommandResult.Command;
        var isRoot = command is RootCommand;
        var serves = isRoot || command.Name == "serve";
        if (result.UnmatchedTokens.Count > 0)
        {
            var unknown = serves
                ? ConfigurationArguments.Check(result.UnmatchedTokens, isRoot, OptionNames(result.CommandResult), Names(command.Subcommands))
                : Unknown(result.UnmatchedTokens[0], result.CommandResult);
            if (unknown is not null)
            {
                return unknown;
            }
        }

        // An unknown option where an argument may stand ("tail --jsn") would otherwise be taken as the argument's value.
        if (result.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens)
                .FirstOrDefault(t => t.Value.Length > 1 && t.Value[0] == '-' && !double.TryParse(t.Value, out _)) is { } stray)
        {
            return Unknown(stray.Value, result.CommandResult);
        }

        if (command.Action is null && command.Subcommands.Count > 0)
        {
            return $"'{command.Name}' needs a command: {string.Join(", ", Names(command.Subcommands).Select(n => $"switchboard {command.Name} {n}"))}.";
        }

        return result.Errors.FirstOrDefault(e => !IsUnmatchedToken(e, result)) is { } error ? InUserTerms(error) : null;
    }

    private static string Unknown(string token, CommandResult at)
    {
        var command = at.Command;
        var name = token.Split('=', 2)[0];
        if (name.StartsWith('-'))
        {
            return Suggestions.Closest(name, OptionNames(at)) is { } option
                ? $"unknown option '{name}' for '{command.Name}'. Did you mean '{option}'?"
                : $"unknown option '{name}' for '{command.Name}'. See 'switchboard {command.Name} --help'.";
        }

        if (command.Subcommands.Count > 0)
        {
            return Suggestions.Closest(token, Names(command.Subcommands)) is { } sub
                ? $"unknown command '{token}' for '{command.Name}'. Did you mean '{sub}'?"
                : $"unknown command '{token}' for '{command.Name}'. The commands are {string.Join(", ", Names(command.Subcommands))}.";
        }

        return $"unexpected argument '{token}' for '{command.Name}'. See 'switchboard {command.Name} --help'.";
    }

    /// <summary>System.CommandLine reports each unmatched token too; those are described above, with a suggestion.</summary>
    private static bool IsUnmatchedToken(ParseError error, ParseResult result) =>
        error.SymbolResult is CommandResult && result.UnmatchedTokens.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal));

    private static string InUserTerms(ParseError error)
    {
        var message = error.Message;
        if (error.SymbolResult is OptionResult option)
        {
            var name = option.Option.Name;
            if (option.Tokens.Count == 0 && !option.Implicit)
            {
                return $"{name} needs a value.";
            }

            // Conversion errors name .NET types ("System.Nullable`1[System.Int64]"); say what the option takes instead.
            if (message.Contains("System.", StringComparison.Ordinal) || message.Contains("expected type", StringComparison.Ordinal))
            {
                return $"'{string.Join(' ', option.Tokens.Select(t => t.Value))}' is not a valid value for {name}. See 'switchboard --help'.";
            }
        }

        if (message.Contains("System.", StringComparison.Ordinal))
        {
            return "the command line could not be understood. See 'switchboard --help'.";
        }

        return char.ToLowerInvariant(message[0]) + message[1..];
    }

    private static IEnumerable<string> OptionNames(CommandResult at)
    {
        for (SymbolResult? r = at; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                foreach (var option in c.Command.Options.Where(o => !o.Hidden && (ReferenceEquals(c, at) || o.Recursive)))
                {
                    yield return option.Name;
                    foreach (var alias in option.Aliases.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
                    {
                        yield return alias;
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Names(IEnumerable<Command> commands) => commands.Where(c => !c.Hidden).Select(c => c.Name);
}
