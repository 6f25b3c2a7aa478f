using System.CommandLine;
using System.Security.Cryptography;
using Switchboard.Cli.Serve;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard keys new [--read|--agent]</c>: prints a fresh random API key. Stdout holds only the key, so
/// <c>KEY=$(switchboard keys new)</c> works; how to use it goes to stderr.
/// </summary>
internal static class KeysVerb
{
    /// <summary>24 random bytes: 192 bits, as 48 hex characters (no comma or colon, which the key list uses).</summary>
    private const int KeyBytes = 24;

    private static readonly Option<bool> Read = new("--read")
    {
        Description = "A key for reading only (listing, subscribing): list it as KEY:read in " + Settings.ApiKeysVariable + ".",
    };

    private static readonly Option<bool> Agent = new("--agent")
    {
        Description = "A key for a coding agent's hooks and telemetry, which cannot answer approvals or steer: list it as @name KEY:agent in " +
            Settings.ApiKeysVariable + ".",
    };

    public static Command Create()
    {
        var keys = new Command("keys", "API keys for a server with auth on.");
        var create = new Command("new", $"Print a fresh random API key, for {Settings.ApiKeysVariable} on the server and --api-key or {ClientVerb.ApiKeyVariable} on clients.");
        create.Options.Add(Read);
        create.Options.Add(Agent);
        create.Validators.Add(r =>
        {
            if (r.GetValue(Read) && r.GetValue(Agent))
            {
                r.AddError("A key has one role: give --read or --agent, not both.");
            }
        });
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
            : result.GetValue(Agent)
            ? $"# an agent key: list it on the server as {Settings.ApiKeysVariable}=\"@agents <key>:agent\" (comma-separated with others) and give it to the agents' hooks " +
              $"as {ClientVerb.ApiKeyVariable}; it cannot answer approvals, so keep an operator key for people"
            : $"# an operator key: list it on the server in {Settings.ApiKeysVariable} (comma-separated); clients send it with --api-key, {ClientVerb.ApiKeyVariable} or " +
              "Authorization: Bearer <key>. Give agents an agent key instead (--agent)");
        return 0;
    }
}
