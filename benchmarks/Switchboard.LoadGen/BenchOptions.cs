using System.Globalization;
using Switchboard.LoadGen.Scenarios;

namespace Switchboard.LoadGen;

/// <summary>The run's shape. Defaults are the documented full run; <c>--quick</c> is for iterating.</summary>
internal sealed class BenchOptions
{
    /// <summary>Connections for the idle and fixed-rate scenarios.</summary>
    public int Connections { get; set; } = 10_000;

    /// <summary>Connections for the saturated and mixed scenarios.</summary>
    public int SaturatedConnections { get; set; } = 1_000;

    /// <summary>100 s at 1 msg/s: a p99 over events needs at least 100 of them to be more than the maximum.</summary>
    public TimeSpan SlowRateDuration { get; set; } = TimeSpan.FromSeconds(100);

    public TimeSpan FastRateDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan SaturatedWarmup { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan SaturatedMeasure { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MixedDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan IngestDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the overload scenario's open-loop publishers run.</summary>
    public TimeSpan OverloadDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Publishes in flight in the overload scenario, never paced by delivery.</summary>
    public int OverloadInFlight { get; set; } = 64;

    /// <summary>Concurrent HTTP publishers in the saturated scenario.</summary>
    public int Publishers { get; set; } = 16;

    /// <summary>Events in flight (published but not yet at every subscriber) in the saturated scenario.</summary>
    public int Window { get; set; } = 128;

    public string[] Systems { get; set; } = ["SignalR", "Switchboard", "Floor"];

    public bool Ingest { get; set; } = true;

    public bool Micro { get; set; } = true;

    /// <summary>Where the report goes; relative to the repository root.</summary>
    public string Output { get; set; } = Path.Combine("docs", "benchmarks.md");

    public bool Quick { get; private set; }

    /// <summary>Extra environment variables for the Switchboard server process (experiments, e.g. GC settings).</summary>
    public Dictionary<string, string> SwitchboardEnvironment { get; } = [];

    /// <summary>Scenario groups to run (idle always runs: it sets up the connections): fixed, saturated, mixed.</summary>
    public string[] Scenarios { get; set; } = ["fixed", "saturated", "mixed", "overload", "overload-cws"];

    public bool Runs(string group) => Scenarios.Contains(group, StringComparer.OrdinalIgnoreCase);

    /// <summary>Instead of the single-node run: several nodes on one PostgreSQL (<c>--scale-out</c>).</summary>
    public bool ScaleOut { get; private set; }

    public int ScaleOutNodes { get; set; } = 4;

    public int ScaleOutSubscribers { get; set; } = 60_000;

    /// <summary>Seconds at 1 msg/s, then at 100 msg/s.</summary>
    public int ScaleOutSlowSeconds { get; set; } = 30;

    public int ScaleOutFastSeconds { get; set; } = 5;

    /// <summary>Only print which objects idle connections add to each server's heap.</summary>
    public bool Census { get; private set; }

    /// <summary>Run only the usage benchmarks (rollups on/off ingest, <c>/api/usage</c> over a long history).</summary>
    public bool Usage { get; private set; }

    /// <summary>Rounds of the rollups on/off ingest comparison; each round runs both, in alternating order.</summary>
    public int UsageRounds { get; set; } = 3;

    /// <summary>Events behind the <c>/api/usage</c> queries.</summary>
    public long UsageEvents { get; set; } = 1_000_000;

    /// <summary>Timed <c>/api/usage</c> queries.</summary>
    public int UsageQueries { get; set; } = 50;

    /// <summary>Run only the commands benchmarks (issue to receipt over sockets and long-polls, issue rate).</summary>
    public bool Commands { get; private set; }

    /// <summary>Timed commands per delivery path.</summary>
    public int CommandCount { get; set; } = 2000;

    /// <summary>Commands issued per second while timing issue to receipt.</summary>
    public int CommandRate { get; set; } = 200;

    /// <summary>Run only the agent-tree benchmarks (usage at depth 1 vs 16, a subtree join over 10,000 children).</summary>
    public bool Trees { get; private set; }

    /// <summary>Run only the hook round-trip benchmark (<c>--hooks</c>): 1,000 Claude Code sessions' hooks while 100 dashboards watch.</summary>
    public bool Hooks { get; private set; }

    /// <summary>
    /// Run only the hook run against the one-file peer (<c>--peer</c>): Switchboard and <c>benchmarks/peer</c> in turn,
    /// at the everyday load unless the hook options say otherwise.
    /// </summary>
    public bool Peer { get; private set; }

    /// <summary>Rounds of the peer run, each server once per round, their order alternating (<c>--peer-rounds N</c>).</summary>
    public int PeerRounds { get; private set; } = 3;

    /// <summary>Run only the approvals benchmark (<c>--approvals</c>): answered across two nodes, and 10,000 hooks held on one.</summary>
    public bool Approvals { get; private set; }

    /// <summary>Run only the idle footprint (<c>--idle</c>): start-up time, RSS at start and after light use, RSS per idle connection.</summary>
    public bool Idle { get; private set; }

    /// <summary>How long the idle run uses each server lightly before reading its RSS again (<c>--idle-seconds N</c>).</summary>
    public TimeSpan IdleUse { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Switchboard build to run (<c>--switchboard-dll PATH</c>: a published <c>switchboard.dll</c> or native executable); unset, the current build.</summary>
    public string? SwitchboardDll { get; private set; }

    /// <summary>Agents of the hook run (<c>--hook-agents N</c>); unset, the load's own (<see cref="Scenarios.HookLoad"/>).</summary>
    public int? HookAgents { get; set; }

    /// <summary>Hooks a second over all agents (<c>--hook-rate N</c>); unset, 10 a second per agent (5 tool calls).</summary>
    public int? HookRate { get; set; }

    /// <summary>Dashboards watching <c>sessions</c> during the hook run (<c>--hook-dashboards N</c>).</summary>
    public int? HookDashboards { get; set; }

    /// <summary>The measured window of the hook run (<c>--hook-seconds N</c>).</summary>
    public TimeSpan HookDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Run only the MCP benchmark (<c>--mcp</c>): 100 MCP clients on the fleet resource against 100 sockets on <c>sessions</c>, 1,000 writes/s.</summary>
    public bool Mcp { get; private set; }

    /// <summary>Measured seconds of each MCP arm (after a 5 s warm-up).</summary>
    public TimeSpan McpDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Run only the Durable Streams benchmarks, on Switchboard and on the protocol's reference server (<c>--streams</c>).</summary>
    public bool Streams { get; private set; }

    /// <summary>The measured window of each Durable Streams workload (<c>--stream-seconds N</c>).</summary>
    public TimeSpan StreamDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Megabytes in the stream the catch-up read reads (<c>--stream-megabytes N</c>).</summary>
    public int StreamMegabytes { get; set; } = 100;

    /// <summary>Rounds of the depth comparison; each round runs both depths, in alternating order.</summary>
    public int TreeRounds { get; set; } = 3;

    /// <summary>Timed subtree joins, idle and under writes each.</summary>
    public int TreeJoins { get; set; } = 500;

    /// <summary>Instead of the full run: an A/B of the server built at this commit against the current build (<c>--ab REF</c>).</summary>
    public string? AbReference { get; private set; }

    /// <summary>Instead of the full run: the batch ingest at each of these commits and on the current build (<c>--ingest-at REF,REF…</c>).</summary>
    public IReadOnlyList<string> IngestReferences { get; private set; } = [];

    /// <summary><c>/metrics</c> scrapes per second on Switchboard during the saturated scenario (<c>--scrapes N</c>; 0: none).</summary>
    public int Scrapes { get; set; }

    /// <summary>Rounds of the A/B run; each runs every arm on a fresh server, the order reversed every other round.</summary>
    public int AbRounds { get; set; } = 3;

    /// <summary>What an A/B run measures, on which store (<c>--arms</c>; every arm unless given).</summary>
    public IReadOnlyList<AbArm> AbArms { get; private set; } = AbArm.All;

    /// <summary>
    /// The idle scenario's memory figures at N connections. The A/B run has no use for them: its arms without the
    /// 1 msg/s scenario connect only the saturated scenario's subscribers, which saves a 10,000-connection storm per arm.
    /// </summary>
    public bool MeasureIdle { get; set; } = true;

    /// <summary>
    /// After the saturated scenario's fixed warm-up, go on until tiered compilation has settled (<c>TieredWarmUp</c>), so
    /// that the build with more code to compile is not measured while it still compiles (the A/B run sets it).
    /// </summary>
    public bool SaturatedWarmupUntilTiered { get; set; }

    /// <summary>Instead of the full run: OpenTelemetry in (<c>--otlp</c>).</summary>
    public bool Otlp { get; private set; }

    /// <summary>How long the OTLP run's exporters send, after a 10 s warm-up.</summary>
    public TimeSpan OtlpDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Exporters sending OTLP requests back to back, each waiting for its answer (an SDK's batch processor exports one
    /// batch at a time; a fleet that sends 50,000 spans/s in batches of 512 is many exporters).
    /// </summary>
    public int OtlpSenders { get; set; } = 16;

    /// <summary>Instead of the full run: the soak (<c>--soak [MINUTES]</c>, 60 by default).</summary>
    public bool Soak { get; private set; }

    public int SoakMinutes { get; set; } = 60;

    /// <summary>The arguments as given, for the report.</summary>
    public string CommandLine { get; private set; } = "";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { CommandLine = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--quick":
                    o.Quick = true;
                    o.Connections = 2_000;
                    o.SaturatedConnections = 500;
                    o.SlowRateDuration = TimeSpan.FromSeconds(6);
                    o.FastRateDuration = TimeSpan.FromSeconds(5);
                    o.SaturatedWarmup = TimeSpan.FromSeconds(1);
                    o.SaturatedMeasure = TimeSpan.FromSeconds(4);
                    o.MixedDuration = TimeSpan.FromSeconds(4);
                    o.OverloadDuration = TimeSpan.FromSeconds(4);
                    o.IngestDuration = TimeSpan.FromSeconds(4);
                    o.Micro = false;
                    o.UsageRounds = 1;
                    o.UsageEvents = 200_000;
                    o.UsageQueries = 20;
                    o.OtlpDuration = TimeSpan.FromSeconds(5);
                    o.TreeRounds = 1;
                    o.TreeJoins = 100;
                    o.Output = Path.Combine("artifacts", "benchmarks-quick.md");
                    break;
                case "--connections":
                    o.Connections = NextInt();
                    break;
                case "--saturated-connections":
                    o.SaturatedConnections = NextInt();
                    break;
                case "--publishers":
                    o.Publishers = NextInt();
                    break;
                case "--window":
                    o.Window = NextInt();
                    break;
                case "--systems":
                    // "none" runs only the ingest and micro benchmarks.
                    o.Systems = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Where(x => !x.Equals("none", StringComparison.OrdinalIgnoreCase))];
                    break;
                case "--scenarios":
                    o.Scenarios = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--switchboard-env":
                    var pair = Next().Split('=', 2);
                    o.SwitchboardEnvironment[pair[0]] = pair.Length == 2 ? pair[1] : "";
                    break;
                case "--usage":
                    o.Usage = true;
                    break;
                case "--commands":
                    o.Commands = true;
                    break;
                case "--command-count":
                    o.CommandCount = NextInt();
                    break;
                case "--command-rate":
                    o.CommandRate = NextInt();
                    break;
                case "--trees":
                    o.Trees = true;
                    break;
                case "--hooks":
                    o.Hooks = true;
                    break;
                case "--approvals":
                    o.Approvals = true;
                    break;
                case "--peer":
                    o.Peer = true;
                    break;
                case "--peer-rounds":
                    o.PeerRounds = NextInt();
                    break;
                case "--hook-agents":
                    o.HookAgents = NextInt();
                    break;
                case "--idle":
                    o.Idle = true;
                    break;
                case "--idle-seconds":
                    o.IdleUse = TimeSpan.FromSeconds(NextInt());
                    break;
                case "--switchboard-dll":
                    o.SwitchboardDll = Path.GetFullPath(Next());
                    break;
                case "--hook-rate":
                    o.HookRate = NextInt();
                    break;
                case "--hook-dashboards":
                    o.HookDashboards = NextInt();
                    break;
                case "--hook-seconds":
                    o.HookDuration = TimeSpan.FromSeconds(NextInt());
                    break;
                case "--mcp":
                    o.Mcp = true;
                    break;
                case "--mcp-seconds":
                    o.McpDuration = TimeSpan.FromSeconds(NextInt());
                    break;
                case "--streams":
                    o.Streams = true;
                    break;
                case "--stream-seconds":
                    o.StreamDuration = TimeSpan.FromSeconds(NextInt());
                    break;
                case "--stream-megabytes":
                    o.StreamMegabytes = NextInt();
                    break;
                case "--usage-events":
                    o.UsageEvents = long.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--ab":
                    o.AbReference = Next();
                    break;
                case "--ingest-at":
                    o.IngestReferences = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--scrapes":
                    o.Scrapes = NextInt();
                    break;
                case "--ab-rounds":
                    o.AbRounds = NextInt();
                    break;
                case "--arms":
                    o.AbArms = AbArm.Parse(Next());
                    break;
                case "--ab-seconds":
                    // One measured window for every A/B arm that has one: saturated, ingest, OTLP and hooks.
                    var seconds = TimeSpan.FromSeconds(NextInt());
                    (o.SaturatedMeasure, o.IngestDuration, o.OtlpDuration, o.HookDuration) = (seconds, seconds, seconds, seconds);
                    break;
                case "--otlp":
                    o.Otlp = true;
                    break;
                case "--otlp-seconds":
                    o.OtlpDuration = TimeSpan.FromSeconds(NextInt());
                    break;
                case "--otlp-senders":
                    o.OtlpSenders = NextInt();
                    break;
                case "--soak":
                    o.Soak = true;
                    if (i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes))
                    {
                        o.SoakMinutes = minutes;
                        i++;
                    }

                    break;
                case "--census":
                    o.Census = true;
                    break;
                case "--scale-out":
                    o.ScaleOut = true;
                    break;
                case "--scale-out-subscribers":
                    o.ScaleOutSubscribers = NextInt();
                    break;
                case "--scale-out-nodes":
                    o.ScaleOutNodes = NextInt();
                    break;
                case "--no-ingest":
                    o.Ingest = false;
                    break;
                case "--no-micro":
                    o.Micro = false;
                    break;
                case "--output":
                    o.Output = Next();
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --quick, --connections N, --saturated-connections N, " +
                        "--publishers N, --window N, --systems SignalR,Switchboard, --no-ingest, --no-micro, --output PATH, --scenarios fixed,saturated,mixed,overload,overload-cws, --switchboard-env K=V, --census, --ab REF [--ab-rounds N] [--arms LIST] [--ab-seconds N], --ingest-at REF,REF… [--ab-rounds N], --scrapes N, --usage, --usage-events N, --soak [MINUTES], --otlp [--otlp-seconds N] [--otlp-senders N], --commands [--command-count N] [--command-rate N], --trees, --hooks [--hook-seconds N] [--hook-agents N] [--hook-rate N] [--hook-dashboards N], --peer [--peer-rounds N], --idle [--idle-seconds N] [--switchboard-dll PATH], --mcp [--mcp-seconds N], --approvals, --streams [--stream-seconds N] [--stream-megabytes N], --scale-out [--scale-out-subscribers N] [--scale-out-nodes N]");
            }
        }

        if (o.AbReference is null && (args.Contains("--arms") || args.Contains("--ab-seconds")))
        {
            throw new ArgumentException("--arms and --ab-seconds choose what an A/B run measures: give --ab REF too.");
        }

        if (o.ScaleOut && o.Quick && !args.Contains("--scale-out-subscribers"))
        {
            (o.ScaleOutSubscribers, o.ScaleOutSlowSeconds, o.ScaleOutFastSeconds) = (4_000, 5, 2);
        }

        return o;
    }
}
