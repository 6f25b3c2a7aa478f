namespace Switchboard.LoadGen.Scenarios;

/// <summary>The store an A/B arm's servers run on.</summary>
internal enum AbStore
{
    Sqlite,
    Postgres,
}

/// <summary>What an A/B arm measures.</summary>
internal enum AbMeasure
{
    /// <summary>10,000 subscribers at 1 msg/s: p99 from POST to the last subscriber.</summary>
    Fixed,

    /// <summary>1,000 subscribers saturated: deliveries/s and server CPU per delivery.</summary>
    Saturated,

    /// <summary>The current build's saturated scenario again under 10 <c>/metrics</c> scrapes/s (no before).</summary>
    Scrapes,

    /// <summary><c>/api/batch</c> ingest with no subscribers: updates/s and CPU per update.</summary>
    Ingest,

    /// <summary>OTLP/HTTP trace exports while 1,000 subscribers watch <c>sessions</c>: spans/s and CPU per span.</summary>
    Otlp,

    /// <summary>Claude Code hooks at a fleet's everyday rate (<see cref="HookLoad.Everyday"/>): CPU per hook, round trip and delivery p99.</summary>
    Hooks,
}

/// <summary>
/// One measurement on one store, run on both builds in every round of an A/B run. <c>--arms</c> names them:
/// <c>fixed</c>, <c>saturated</c>, <c>scrapes</c>, <c>ingest</c>, <c>otlp</c>, <c>hooks</c> on SQLite; <c>postgres-…</c> the same on
/// PostgreSQL; <c>postgres</c> the PostgreSQL arm (ingest, saturated and OTLP), <c>sqlite</c> every SQLite arm.
/// </summary>
internal sealed record AbArm(AbStore Store, AbMeasure Measure)
{
    private const string PostgresPrefix = "postgres-";

    /// <summary>What the PostgreSQL arm measures unless told otherwise: what issue 46 gates on.</summary>
    public static readonly IReadOnlyList<AbArm> Postgres =
        [new(AbStore.Postgres, AbMeasure.Ingest), new(AbStore.Postgres, AbMeasure.Saturated), new(AbStore.Postgres, AbMeasure.Otlp)];

    public static readonly IReadOnlyList<AbArm> Sqlite = [.. Enum.GetValues<AbMeasure>().Select(m => new AbArm(AbStore.Sqlite, m))];

    /// <summary>Every arm: the default of <c>--ab</c>.</summary>
    public static readonly IReadOnlyList<AbArm> All = [.. Sqlite, .. Postgres];

    public static string Names => "fixed, saturated, scrapes, ingest, otlp, hooks, sqlite (all of those), postgres (ingest, saturated and otlp on PostgreSQL), " +
        "postgres-fixed, postgres-saturated, postgres-scrapes, postgres-ingest, postgres-otlp, postgres-hooks, all";

    /// <summary>Reads <c>--arms</c>'s comma-separated list; unknown names fail with the list of known ones.</summary>
    public static IReadOnlyList<AbArm> Parse(string list)
    {
        var arms = new List<AbArm>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()))
        {
            arms.AddRange(name switch
            {
                "all" => All,
                "sqlite" => Sqlite,
                "postgres" or "postgresql" => Postgres,
                _ when name.StartsWith(PostgresPrefix, StringComparison.Ordinal) => [new(AbStore.Postgres, MeasureNamed(name[PostgresPrefix.Length..], name))],
                _ => [new(AbStore.Sqlite, MeasureNamed(name, name))],
            });
        }

        return arms.Count > 0 ? [.. arms.Distinct().Order(Comparer<AbArm>.Create((a, b) => (a.Store, a.Measure).CompareTo((b.Store, b.Measure))))]
            : throw new ArgumentException("--arms needs at least one arm: " + Names);
    }

    public override string ToString() => (Store == AbStore.Postgres ? PostgresPrefix : "") + Measure.ToString().ToLowerInvariant();

    private static AbMeasure MeasureNamed(string measure, string arm) =>
        Enum.TryParse<AbMeasure>(measure, ignoreCase: true, out var parsed) && !int.TryParse(measure, out _)
            ? parsed
            : throw new ArgumentException($"Unknown A/B arm '{arm}'. Arms: {Names}.");
}
