namespace Switchboard.LoadGen.Clients;

/// <summary>What a <see cref="WsClient"/> hands its messages to.</summary>
internal interface IWsReceiver
{
    /// <summary>A complete message; <paramref name="timestamp"/> is when the read that carried it returned.</summary>
    void OnMessage(WsClient client, ReadOnlySpan<byte> message, long timestamp);

    void OnClosed(WsClient client);
}
