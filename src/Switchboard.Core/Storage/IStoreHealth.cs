namespace Switchboard.Core.Storage;

/// <summary>
/// Implemented by stores whose database can go away while the process keeps running (PostgreSQL), so
/// <c>/readyz</c> can take the node out of a load balancer until the database is back.
/// </summary>
internal interface IStoreHealth
{
    /// <summary>Null while the store can serve; otherwise a short reason, e.g. "database unreachable".</summary>
    string? NotReadyReason { get; }
}
