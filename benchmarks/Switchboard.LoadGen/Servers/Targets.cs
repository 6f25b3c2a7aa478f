namespace Switchboard.LoadGen.Servers;

/// <summary>The systems the load generator knows.</summary>
internal static class Targets
{
    public static Target Create(string name) => name.ToUpperInvariant() switch
    {
        "SIGNALR" => new SignalRTarget(),
        "SWITCHBOARD" => new SwitchboardTarget(),
        _ => throw new ArgumentException($"Unknown system {name}; use SignalR or Switchboard."),
    };
}
