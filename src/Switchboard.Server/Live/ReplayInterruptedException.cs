namespace Switchboard.Server.Live;

/// <summary>
/// A replay already announced in a join reply could not be completed (retention purged part of it meanwhile).
/// The channel must error so the client rejoins and gets a snapshot: never a silent gap.
/// </summary>
internal sealed class ReplayInterruptedException(string message) : Exception(message);
