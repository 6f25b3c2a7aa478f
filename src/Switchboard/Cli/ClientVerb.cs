using System.CommandLine;
using Switchboard.Client;
using Switchboard.Core.Hosting;

namespace Switchboard.Cli;

/// <summary>What the client commands (tail, sessions, demo) share: <c>--url</c>, and turning failures into clear messages and exit codes.</summary>
internal static class ClientVerb
{
    /// <summary>Exit code when the server refused a request.</summary>
    public const int Refused = SwitchboardCommandLine.Failure;

    /// <summary>Exit code when the server could not be reached (2 is a mistake on the command line).</summary>
    public const int Unreachable = 3;

    /// <summary><c>--url</c>: the server, an http(s) address, default <see cref="SwitchboardDefaults.Urls"/>.</summary>
    internal static Option<Uri> UrlOption() => new("--url")
    {
        Description = $"The Switchboard server (an app that maps it under a prefix: http://host/prefix). Default {SwitchboardDefaults.Urls}.",
        DefaultValueFactory = _ => new Uri(SwitchboardDefaults.Urls),
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            r.AddError($"--url must be an http(s) address such as {SwitchboardDefaults.Urls}; got '{text}'.");
            return null;
        },
    };

    /// <summary>The API key variable the client commands read when <c>--api-key</c> is not given.</summary>
    public const string ApiKeyVariable = "SWITCHBOARD_API_KEY";

    private static Option<string?> ApiKeyOption() => new("--api-key")
    {
        Description = $"The API key, for a server with auth on (or {ApiKeyVariable}). tail and sessions need a read key, demo a write key.",
    };

    /// <summary>
    /// A command that talks to a server: its own arguments and options plus <c>--url</c> and <c>--api-key</c>, which its
    /// subcommands (<see cref="AddSubcommand"/>) share; <paramref name="run"/> gets a client for that URL, and failures
    /// become a message on stderr and an exit code.
    /// </summary>
    public static Command Create(string name, string description, Func<SwitchboardClient, ParseResult, CancellationToken, Task<int>> run,
        params Symbol[] symbols)
    {
        var command = NewCommand(name, description, symbols);
        // Recursive, so that a subcommand takes them on either side of its name: 'webhooks --url X remove id' too.
        var url = UrlOption();
        var apiKey = ApiKeyOption();
        url.Recursive = true;
        apiKey.Recursive = true;
        command.Options.Add(url);
        command.Options.Add(apiKey);
        SetAction(command, url, apiKey, run);
        return command;
    }

    /// <summary>A subcommand of a command made by <see cref="Create"/>, talking to the server its <c>--url</c> names.</summary>
    public static void AddSubcommand(Command parent, string name, string description,
        Func<SwitchboardClient, ParseResult, CancellationToken, Task<int>> run, params Symbol[] symbols)
    {
        var command = NewCommand(name, description, symbols);
        SetAction(command, parent.Options.OfType<Option<Uri>>().Single(o => o.Name == "--url"),
            parent.Options.OfType<Option<string?>>().Single(o => o.Name == "--api-key"), run);
        parent.Subcommands.Add(command);
    }

    private static Command NewCommand(string name, string description, Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument)
            {
                command.Arguments.Add(argument);
            }
            else
            {
                command.Options.Add((Option)symbol);
            }
        }

        return command;
    }

    private static void SetAction(Command command, Option<Uri> url, Option<string?> apiKey,
        Func<SwitchboardClient, ParseResult, CancellationToken, Task<int>> run) =>
        command.SetAction((result, cancellationToken) =>
        {
            var key = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
            return RunAsync(result.GetValue(url)!, string.IsNullOrEmpty(key) ? null : key, client => run(client, result, cancellationToken), cancellationToken);
        });

    /// <summary>Runs <paramref name="body"/> with a client, mapping failures to a message on stderr and an exit code.</summary>
    private static async Task<int> RunAsync(Uri url, string? apiKey, Func<SwitchboardClient, Task<int>> body, CancellationToken cancellationToken)
    {
        // Session handles (the demo's agents) take commands from their session's topic the moment they are issued.
        using var client = new SwitchboardClient(url, new SwitchboardClientOptions { MaxAttempts = 3, ApiKey = apiKey, ReceiveCommandsOverSocket = true });
        try
        {
            return await body(client);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0; // Ctrl+C
        }
        catch (SwitchboardApiException ex) when (ex.StatusCode is 401 && apiKey is null)
        {
            await Console.Error.WriteLineAsync($"switchboard: the server at {url} requires an API key: pass --api-key or set {ApiKeyVariable}.");
            return Refused;
        }
        catch (SwitchboardApiException ex)
        {
            await Console.Error.WriteLineAsync($"switchboard: the server refused: {ex.Problem.Detail} ({ex.StatusCode} {ex.Code})");
            return Refused;
        }
        catch (SwitchboardSubscriptionException ex) when (ex.Reason == "unauthorized" && apiKey is null)
        {
            await Console.Error.WriteLineAsync($"switchboard: {ex.Message} If the server has auth on, pass --api-key or set {ApiKeyVariable}.");
            return Refused;
        }
        catch (SwitchboardSubscriptionException ex)
        {
            await Console.Error.WriteLineAsync($"switchboard: {ex.Message}");
            return Refused;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"switchboard: cannot reach the server at {url}: {ex.Message} Is it running (switchboard serve)?");
            return Unreachable;
        }
    }

    /// <summary>Parses <c>key=value</c> label filters.</summary>
    public static Option<Dictionary<string, string>?> LabelOption(string description) => new("--label")
    {
        Description = description,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = r =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var token in r.Tokens)
            {
                var eq = token.Value.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    r.AddError($"--label takes key=value; got '{token.Value}'.");
                    return null;
                }

                labels[token.Value[..eq]] = token.Value[(eq + 1)..];
            }

            return labels.Count == 0 ? null : labels;
        },
    };
}
