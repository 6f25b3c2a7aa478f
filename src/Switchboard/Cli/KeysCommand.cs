using System.CommandLine;
using System.Security.Cryptography;
using Switchboard.Cli.Serve;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard keys new [--read]</c>: prints a fresh random API key. Stdout holds only the key, so
/// <c>KEY=$(switchboard keys new)</c> works; how to use it goes to stderr.
/// </summary>
internal static class KeysCommand
{
    /// <summary>24 random bytes: 192 bits, as 48 hex characters (no comma or colon, which the key list uses).</summary>
    private const int KeyBytes = 24;

    private static readonly Option<bool> Read = new("--read")
    {
        Description = "A key for reading only (listing, subscribing): list it as KEY:read in " + Settings.ApiKeysVariable + ".",
    };

    public static Command Create()
    {
        var keys = new Command("keys", "API keys for a server with auth on.");
        var create = new Command("new", $"Print a fresh random API key, for {Settings.ApiKeysVariable} on the server and --api-key or {ClientCommand.ApiKeyVariable} on clients.");
        create.Options.Add(Read);
        create.SetAction(Run);
        keys.Subcommands.Add(create);
        return keys;
    }

    private static int Run(ParseResult result)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyBytes));
        Console.Out.WriteLine(key);
        Console.Error.WriteLine(result.GetValue(Read)
            ? $"# a read-only key: list it on the server as {Settings.ApiKeysVariable}=<key>:read (comma-separated with others); clients send the key alone"
            : $"# list it on the server in {Settings.ApiKeysVariable} (comma-separated); clients send it with --api-key, {ClientCommand.ApiKeyVariable} or Authorization: Bearer <key>");
        return 0;
    }
}
