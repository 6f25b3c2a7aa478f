using Switchboard.Core.Errors;

namespace Switchboard.Server.Responses;

/// <summary>
/// The HTTP half of a domain error's "how to fix it": Core says what was wrong in terms of sessions and alerts, and the
/// HTTP layer, which owns the routes, names the request that fixes it.
/// </summary>
internal static class HttpFixes
{
    /// <summary>The detail to send over HTTP: Core's sentence plus the route that fixes it, when there is one.</summary>
    public static string Detail(SwitchboardError error) => Route(error.Code) is { } fix ? $"{error.Detail} {fix}" : error.Detail;

    private static string? Route(string code) => code switch
    {
        "session_not_found" => "Sessions are created with POST /api/sessions.",
        "session_exists" => "Sessions are updated with PATCH /api/sessions/{id}.",
        "alert_not_found" => "Alerts are listed with GET /api/alerts?state=all.",
        "too_many_commands" => "List them with GET /api/sessions/{id}/commands?state=pending,delivered; the producer answers one with " +
            "POST /api/sessions/{id}/commands/{cid}/ack, an operator withdraws a pending one with DELETE /api/sessions/{id}/commands/{cid}.",
        "too_many_approvals" => "List them with GET /api/sessions/{id}/approvals?state=pending; an operator answers one with " +
            "POST /api/sessions/{id}/approvals/{aid}.",
        _ => null,
    };
}
