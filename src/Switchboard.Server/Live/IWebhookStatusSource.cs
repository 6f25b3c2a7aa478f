namespace Switchboard.Server.Live;

/// <summary>
/// Where the <c>webhooks</c> topic's state comes from: the Webhooks room reads it from the store, on a loop of its own.
/// The live loop only says whether the topic has followers and takes what the source hands over; it never waits on it.
/// </summary>
internal interface IWebhookStatusSource
{
    /// <summary>
    /// Starts reading. <paramref name="head"/> gives the position lags are counted from; <paramref name="deliver"/> takes
    /// each list (the <c>data</c> of a push, UTF-8 JSON) that differs from the last, and is called on the source's loop.
    /// </summary>
    void Start(Func<long> head, Action<byte[]> deliver);

    /// <summary>The topic gained its first follower (true) or lost its last (called on the live loop; never blocks).</summary>
    void Followed(bool followed);

    Task StopAsync();
}
