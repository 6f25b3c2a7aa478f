namespace Switchboard.Core.Sessions;

/// <summary>One durable stream of a session (<c>/v1/stream/sessions/{id}/{name}</c>), as the session lists it.</summary>
/// <param name="Name">The stream's name, the last segment of its path.</param>
/// <param name="ContentType">Its content type, as created.</param>
/// <param name="Closed">True once it is closed (by its producer, or because the session ended).</param>
public sealed record SessionStream(string Name, string ContentType, bool Closed);
