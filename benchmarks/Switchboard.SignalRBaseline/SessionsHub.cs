using Microsoft.AspNetCore.SignalR;

namespace Switchboard.SignalRBaseline;

/// <summary>Clients join groups by name, as Phoenix clients join topics; the server only pushes.</summary>
internal sealed class SessionsHub : Hub
{
    public const string SessionsGroup = "sessions";

    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);
}
