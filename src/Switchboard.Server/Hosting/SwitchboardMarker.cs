namespace Switchboard.Server.Hosting;

/// <summary>Registered by AddSwitchboard so MapSwitchboard can tell it ran.</summary>
internal sealed class SwitchboardMarker;
