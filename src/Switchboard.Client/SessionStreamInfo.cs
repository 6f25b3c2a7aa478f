namespace Switchboard.Client;

/// <summary>One durable stream of a session (<see cref="Session.Streams"/>); <see cref="SessionHandle.Stream"/> appends to it, any Durable Streams client reads it.</summary>
/// <param name="Name">The stream's name: its path is <c>/v1/stream/sessions/{id}/{name}</c>.</param>
/// <param name="ContentType">Its content type, as created.</param>
/// <param name="Closed">True once it is closed (by its producer, or because the session ended).</param>
public sealed record SessionStreamInfo(string Name, string ContentType, bool Closed);
