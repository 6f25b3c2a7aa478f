using Switchboard.Core.Storage;

namespace Switchboard.Server.Live;

/// <summary>
/// The live loop has <see cref="SocketOptions.MaxQueuedRequests"/> joins and reads waiting: this one is refused at once
/// (HTTP 503; a Phoenix join gets an error reply with reason <c>overloaded</c>) rather than queued without bound.
/// </summary>
internal sealed class LiveBusyException(int waiting)
    : StoreUnavailableException($"This node has {waiting} joins and reads waiting for its live state; retry shortly or connect to another node.");
