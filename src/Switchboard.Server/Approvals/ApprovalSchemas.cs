using Microsoft.OpenApi;
using Switchboard.Server.Http;

namespace Switchboard.Server.Approvals;

/// <summary>
/// What the generator cannot say about the approval shapes: <c>data</c> is an object or null, as a command's; an approval
/// asked without it answers "data": null.
/// </summary>
internal static class ApprovalSchemas
{
    public static void Fix(OpenApiDocument document)
    {
        if (document.Components?.Schemas is { } schemas)
        {
            OpenApiBody.DataObjectOrNull(schemas, "the person who answers", nameof(ApprovalRequest), nameof(ApprovalResponse));
        }
    }
}
