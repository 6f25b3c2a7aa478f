namespace Switchboard.Server.Live;

/// <summary>
/// One concern of the live loop (the projection, joins, presence, usage, the summary, health): its own state, the
/// messages it takes (<see cref="Register"/>), and its part in what every pass and every recovery go through. Only the
/// loop calls a handler, one call at a time, so its state needs no lock. A handler reaches out only by handing frames to
/// send queues and completing replies, which run their continuations off the loop; it may call another handler of the
/// same loop directly (a join tells presence about its viewer), never anything outside it.
/// </summary>
internal abstract class LiveHandler
{
    /// <summary>Names the messages this handler takes (<see cref="MessageRoutes.On{T}"/>).</summary>
    public abstract void Register(MessageRoutes routes);

    /// <summary>The loop started, at the state the projection was loaded with.</summary>
    public virtual void Started()
    {
    }

    /// <summary>
    /// At the end of every pass, before the connections that got frames in it are woken (so what a handler queues here
    /// leaves in the same write). Handlers are called in the order the loop lists them.
    /// </summary>
    public virtual void EndPass(LivePass pass)
    {
    }

    /// <summary>Recovery dropped every subscription (their connections reconnect and resume): forget what refers to them.</summary>
    public virtual void Reset()
    {
    }

    /// <summary>Recovery reloaded the projection from the store.</summary>
    public virtual void Reloaded()
    {
    }

    /// <summary>The loop has stopped: answer whoever still waits with <paramref name="stopping"/> (or a negative reply).</summary>
    public virtual void Stopped(Exception stopping)
    {
    }

    /// <summary>Once the loop has ended: releases what the concern runs beside it (timers, a loop of its own).</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>What a pass did: how many committed events it fanned out, and when it ended.</summary>
internal readonly record struct LivePass(int Dispatched, DateTimeOffset Now);
