namespace Switchboard.Server.Live;

/// <summary>
/// Which handler takes each message: every message type has exactly one, named by the handler itself
/// (<see cref="LiveHandler.Register"/>) when the loop is built. Read on the loop only.
/// </summary>
internal sealed class MessageRoutes
{
    private readonly Dictionary<Type, Action<LiveMessage>> _routes = [];

    /// <summary>Messages of type <typeparamref name="T"/> go to <paramref name="handle"/>; a type may have one handler only.</summary>
    public void On<T>(Action<T> handle)
        where T : LiveMessage
    {
        if (!_routes.TryAdd(typeof(T), message => handle((T)message)))
        {
            throw new InvalidOperationException($"{typeof(T).Name} already has a handler: a message belongs to one concern.");
        }
    }

    /// <summary>The message types that have a handler.</summary>
    public IReadOnlyCollection<Type> Types => _routes.Keys;

    /// <summary>Hands <paramref name="message"/> to its handler.</summary>
    public void Dispatch(LiveMessage message)
    {
        if (!_routes.TryGetValue(message.GetType(), out var handle))
        {
            throw new InvalidOperationException($"No handler of the live loop takes {message.GetType().Name}.");
        }

        handle(message);
    }
}
