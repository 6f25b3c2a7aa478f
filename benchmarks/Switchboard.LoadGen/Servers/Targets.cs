namespace Switchboard.LoadGen.Servers;

/// <summary>The systems the load generator knows.</summary>
internal static class Targets
{
    public static Target Create(string name, BenchOptions options) => name.ToUpperInvariant() switch
    {
        "SIGNALR" => new SignalRTarget(),
        "SWITCHBOARD" => new SwitchboardTarget(options.SwitchboardEnvironment, scrapesPerSecond: options.Scrapes),
        "FLOOR" => new FloorTarget(),
        _ => throw new ArgumentException($"Unknown system {name}; use SignalR, Switchboard or Floor."),
    };
}
