namespace Switchboard.Server.Transports.WebSockets;

/// <summary>The close codes Switchboard sends (RFC 6455 §7.4).</summary>
internal static class CloseCodes
{
    /// <summary>Normal close; only used to answer a client's own close.</summary>
    public const ushort Normal = 1000;
    /// <summary>Server shutting down or idle timeout: clients reconnect and resume.</summary>
    public const ushort GoingAway = 1001;
    /// <summary>WebSocket protocol violation (unmasked frame, bad opcode, bad control frame).</summary>
    public const ushort ProtocolError = 1002;
    /// <summary>A message that is not a valid Phoenix V2 message.</summary>
    public const ushort UnsupportedData = 1003;
    /// <summary>A text message that is not valid UTF-8.</summary>
    public const ushort InvalidPayload = 1007;
    /// <summary>Policy violation: expired token, message rate exceeded.</summary>
    public const ushort PolicyViolation = 1008;
    /// <summary>A message larger than the frame limit.</summary>
    public const ushort MessageTooBig = 1009;
    /// <summary>Unexpected server failure.</summary>
    public const ushort InternalError = 1011;
}
