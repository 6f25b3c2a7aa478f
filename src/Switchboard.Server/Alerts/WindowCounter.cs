using Switchboard.Core.Alerts;

namespace Switchboard.Server.Alerts;

/// <summary>Per-minute sums of cost, tokens and errors for one windowed rule. A minute counts while any part of it is inside the window.</summary>
internal sealed class WindowCounter(AlertRule rule)
{
    public static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly SortedDictionary<DateTimeOffset, (decimal Cost, long Tokens, long Errors)> _minutes = [];

    public AlertRule Rule { get; } = rule;

    /// <summary>Events up to this seq are in the seed from the rollups.</summary>
    public long SeededThrough { get; set; }

    public DateTimeOffset? Oldest => _minutes.Count == 0 ? null : _minutes.Keys.First();

    public void Add(DateTimeOffset minute, decimal cost, long tokens, long errors)
    {
        var (c, t, e) = _minutes.GetValueOrDefault(minute);
        _minutes[minute] = (c + cost, t + tokens, e + errors);
    }

    public void Prune(DateTimeOffset windowStart)
    {
        while (_minutes.Count > 0 && _minutes.Keys.First() + Minute <= windowStart)
        {
            _minutes.Remove(_minutes.Keys.First());
        }
    }

    public (decimal Cost, long Tokens, long Errors) Sum()
    {
        var total = (Cost: 0m, Tokens: 0L, Errors: 0L);
        foreach (var (c, t, e) in _minutes.Values)
        {
            total = (total.Cost + c, total.Tokens + t, total.Errors + e);
        }

        return total;
    }
}
