using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Core.Hosting;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>
/// The HS256 key subscriber tokens are signed with: the configured secret, or else one generated once and kept in the
/// node's directory (<see cref="NodeDirectory"/>; readable by the owner only), so tokens survive a restart of a single node.
/// </summary>
internal sealed class TokenSecret(SwitchboardOptions options, NodeDirectory node)
{
    private SymmetricSecurityKey? _key;

    public SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("The token secret is loaded at start-up, when auth is on.");

    /// <summary>Where the secret came from, for the start-up log: "configuration", or the file's path.</summary>
    public string? Source { get; private set; }

    /// <summary>True when this start generated a new secret file.</summary>
    public bool Generated { get; private set; }

    public void Load()
    {
        var configured = options.Security.TokenSigningKey;
        if (!string.IsNullOrEmpty(configured))
        {
            _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configured));
            Source = "configuration";
            return;
        }

        var directory = node.Path;
        var path = Path.Combine(directory, SwitchboardDefaults.TokenSecretFileName);
        Directory.CreateDirectory(directory);
        if (!File.Exists(path))
        {
            var generated = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            try
            {
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the owner only
                }

                using var file = new FileStream(path, create);
                file.Write(Encoding.UTF8.GetBytes(generated + "\n"));
                Generated = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process sharing the directory created it first; use theirs.
            }
        }

        var secret = File.ReadAllText(path).Trim();
        if (secret.Length < SwitchboardDefaults.MinTokenSecretLength)
        {
            throw new SwitchboardStartupException(
                $"The token secret in {path} is shorter than {SwitchboardDefaults.MinTokenSecretLength} characters. Delete the file to have a new one generated, or set SWITCHBOARD_TOKEN_SECRET.");
        }

        _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret));
        Source = path;
    }
}
