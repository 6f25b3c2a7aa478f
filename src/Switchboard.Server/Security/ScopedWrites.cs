using Microsoft.AspNetCore.Http;
using Switchboard.Core.Writes;
using Switchboard.Server.Live;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Security;

/// <summary>
/// The writes of an API key scoped by labels. Every one carries the scope (<see cref="SessionWrite.Scope"/>), so the write
/// transaction treats a session outside it as missing; besides, a create gets the scope's labels (one that contradicts
/// them is refused), a PATCH may not change or remove them, and telemetry sessions get them whatever the exporter says.
/// </summary>
internal static class ScopedWrites
{
    /// <summary><paramref name="write"/> as the request's key may make it (unchanged without a labels scope); see <see cref="Within"/>.</summary>
    public static SessionWrite For(HttpContext http, SessionWrite write) => Within(write, ApiAccessFilter.ScopeOf(http));

    /// <summary>
    /// <paramref name="write"/> inside <paramref name="scope"/> (unchanged when null). Throws <see cref="RequestException"/>
    /// with 403 <c>insufficient_scope</c> for labels that contradict the scope; nothing is written then.
    /// </summary>
    public static SessionWrite Within(SessionWrite write, LabelFilter? scope)
    {
        if (scope is null)
        {
            return write;
        }

        switch (write)
        {
            case CreateSession create:
                write = create with
                {
                    Labels = scope.Narrow(create.Labels, out var outside) ?? throw new RequestException(SecurityProblems.OutsideScope(
                        $"the label {outside} contradicts its scope, {Describe(scope)}; leave the label out (the key adds it) or give it the scope's value")),
                };
                break;
            case UpdateSession { Labels: { } labels } when !scope.Matches(labels):
                throw new RequestException(SecurityProblems.OutsideScope(
                    $"a change of the labels must keep {Describe(scope)}, which the key's sessions always carry"));
            case ApplyTelemetry telemetry:
                // Telemetry is never refused for a value: the key's labels win over what the exporter says.
                var labelled = new Dictionary<string, string>(telemetry.Labels, StringComparer.Ordinal);
                foreach (var (key, value) in scope.Pairs)
                {
                    labelled[key] = value;
                }

                write = telemetry with { Labels = labelled };
                break;
            case ApplyHook hook:
                // Nor are hooks: the key's labels win over what the hook says.
                var marked = new Dictionary<string, string>(hook.Labels, StringComparer.Ordinal);
                foreach (var (key, value) in scope.Pairs)
                {
                    marked[key] = value;
                }

                write = hook with { Labels = marked };
                break;
        }

        return write with { Scope = scope.Pairs };
    }

    private static string Describe(LabelFilter scope) => string.Join(" ", scope.Pairs.Select(p => $"{p.Key}={Clip(p.Value)}"));

    private static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
