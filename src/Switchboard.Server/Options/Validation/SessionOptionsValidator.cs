using Microsoft.Extensions.Options;
using Switchboard.Core.Hosting;
using Switchboard.Server.Sessions.Options;

namespace Switchboard.Server.Options.Validation;

/// <summary><c>Switchboard:Sessions</c>.</summary>
internal sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions o)
    {
        var p = new OptionProblems("Switchboard:Sessions");
        p.InRange(nameof(o.MaxTreeDepth), o.MaxTreeDepth, 1, SwitchboardDefaults.MaxTreeDepthLimit);
        return p.Result;
    }
}
