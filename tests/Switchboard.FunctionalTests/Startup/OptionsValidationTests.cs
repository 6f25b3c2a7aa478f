using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Startup;

/// <summary>
/// Every setting out of range stops a real host at start, before anything listens or opens, with exactly one line that
/// names the configuration key, the value given and what is allowed.
/// </summary>
public sealed class OptionsValidationTests
{
    private const string UnreachablePostgres = "Host=127.0.0.1;Port=1;Database=none;Username=nobody;Timeout=1";

    private static readonly Dictionary<string, (Action<SwitchboardOptions>? Options, Action<ISwitchboardBuilder>? Store, string Line)> Cases = new()
    {
        ["send queue frames"] = (o => o.Sockets.SendQueueMaxFrames = 0, null,
            "Switchboard:Sockets:SendQueueMaxFrames = 0 is not allowed: it must be at least 1."),
        ["max connections"] = (o => o.Sockets.MaxConnections = -1, null,
            "Switchboard:Sockets:MaxConnections = -1 is not allowed: it must be at least 1."),
        ["heartbeat"] = (o => o.Sockets.HeartbeatTimeout = TimeSpan.Zero, null,
            "Switchboard:Sockets:HeartbeatTimeout = 00:00:00 is not allowed: it must be a positive duration such as 00:00:10 (hh:mm:ss)."),
        ["message rate"] = (o => o.Sockets.MaxMessagesPerSecond = 0, null,
            "Switchboard:Sockets:MaxMessagesPerSecond = 0 is not allowed: it must be a positive number."),
        ["snapshot sessions"] = (o => o.Sockets.SnapshotSessions = 5000, null,
            "Switchboard:Sockets:SnapshotSessions = 5000 is not allowed: it must be from 0 to 1,000."),
        ["tree depth"] = (o => o.Sessions.MaxTreeDepth = 0, null,
            "Switchboard:Sessions:MaxTreeDepth = 0 is not allowed: it must be from 1 to 64."),
        ["write rate limit"] = (o => o.Http.WriteRateLimit = -1, null,
            "Switchboard:Http:WriteRateLimit = -1 is not allowed: it must be 0 (no limit) or more."),
        ["body budget"] = (o => o.Http.MaxInFlightBodyBytes = 1024 * 1024, null,
            "Switchboard:Http:MaxInFlightBodyBytes = 1048576 is not allowed: it must be at least 25,165,824, what one body at Switchboard:Otlp:MaxBodyBytes = 16,777,216 holds as its buffer grows."),
        ["default page size"] = (o => o.Http.DefaultPageSize = 5000, null,
            "Switchboard:Http:DefaultPageSize = 5000 is not allowed: it must be from 1 to 1,000."),
        ["token lifetimes"] = (o => o.Security.TokenMaxLifetime = TimeSpan.FromMinutes(1), null,
            "Switchboard:Security:TokenMaxLifetime = 00:01:00 is not allowed: it must be at least TokenLifetime (00:15:00)."),
        ["api key scope"] = (o => o.Security.AddApiKeys("scoped-key-0123456789abcdef team"), null,
            "Switchboard:Security:ApiKeys: API key #1: its labels scope has 'team', which is not a key=value label. " +
            "A scope is labels after the key and a space, `[@name ]<key>[:read|:agent|:operator] team=red env=prod` (or Switchboard:Security:ApiKeys:N:Labels:team=red)."),
        ["api key name"] = (o => o.Security.AddApiKeys("@ops key-one-0123456789abcdef, @Ops key-two-0123456789abcdef:agent"), null,
            "Switchboard:Security:ApiKeys: API key #2: its name is already another key's; names are unique (case does not count). " +
            "A name goes before the key, `@ops-dashboard <key>[:role]` (or Switchboard:Security:ApiKeys:N:Name)."),
        ["trusted proxy"] = (o => o.Security.TrustedProxy.UserHeader = "X-Forwarded-User", null,
            "Switchboard:Security:TrustedProxy: UserHeader and Addresses go together: name the header the proxy sets and the addresses it connects from " +
            "(Switchboard:Security:TrustedProxy:UserHeader=X-Forwarded-User, …:Addresses:0=10.0.0.5)."),
        ["retention events"] = (o => o.Retention.MaxEvents = 0, null,
            "Switchboard:Retention:MaxEvents = 0 is not allowed: it must be at least 1."),
        ["usage points"] = (o => o.Usage.MaxPoints = 0, null,
            "Switchboard:Usage:MaxPoints = 0 is not allowed: it must be at least 1."),
        ["alert refresh"] = (o => o.Alerts.RuleRefreshInterval = TimeSpan.FromSeconds(-1), null,
            "Switchboard:Alerts:RuleRefreshInterval = -00:00:01 is not allowed: it must be a positive duration such as 00:00:10 (hh:mm:ss)."),
        ["webhook attempts"] = (o => o.Webhooks.MaxAttempts = 0, null,
            "Switchboard:Webhooks:MaxAttempts = 0 is not allowed: it must be at least 1."),
        ["command waiters"] = (o => o.Commands.MaxWaiters = 0, null,
            "Switchboard:Commands:MaxWaiters = 0 is not allowed: it must be at least 1."),
        ["command wait"] = (o => o.Commands.MaxWaitSeconds = 301, null,
            "Switchboard:Commands:MaxWaitSeconds = 301 is not allowed: it must be from 1 to 300."),
        ["pending approvals"] = (o => o.Approvals.MaxPendingPerSession = 0, null,
            "Switchboard:Approvals:MaxPendingPerSession = 0 is not allowed: it must be from 1 to 10,000."),
        ["stream append size"] = (o => o.Streams.MaxAppendBytes = 100, null,
            "Switchboard:Streams:MaxAppendBytes = 100 is not allowed: it must be from 1,024 to 67,108,864."),
        ["stream long-poll"] = (o => o.Streams.LongPollTimeout = TimeSpan.FromMinutes(10), null,
            "Switchboard:Streams:LongPollTimeout = 00:10:00 is not allowed: it must be between 00:00:00.1 and 00:05:00."),
        ["stream sse reconnect"] = (o => o.Streams.SseReconnectAfter = TimeSpan.Zero, null,
            "Switchboard:Streams:SseReconnectAfter = 00:00:00 is not allowed: it must be between 00:00:01 and 01:00:00."),
        ["streams per key"] = (o => o.Streams.MaxStreamsPerKey = 0, null,
            "Switchboard:Streams:MaxStreamsPerKey = 0 is not allowed: it must be at least 1."),
        ["streams per session"] = (o => o.Streams.MaxStreamsPerSession = 0, null,
            "Switchboard:Streams:MaxStreamsPerSession = 0 is not allowed: it must be at least 1."),
        ["stream live readers"] = (o => o.Streams.MaxLiveReaders = 0, null,
            "Switchboard:Streams:MaxLiveReaders = 0 is not allowed: it must be at least 1."),
        ["stream sweep"] = (o => o.Streams.SweepInterval = TimeSpan.Zero, null,
            "Switchboard:Streams:SweepInterval = 00:00:00 is not allowed: it must be a positive duration such as 00:00:10 (hh:mm:ss)."),
        ["stream retention after end"] = (o => o.Streams.RetainAfterEnd = TimeSpan.FromHours(-1), null,
            "Switchboard:Streams:RetainAfterEnd = -01:00:00 is not allowed: it must be a positive duration such as 00:00:10 (hh:mm:ss)."),
        ["otlp records per request"] = (o => o.Otlp.MaxRecordsPerRequest = 0, null,
            "Switchboard:Otlp:MaxRecordsPerRequest = 0 is not allowed: it must be at least 1."),
        ["otlp attributes per record"] = (o => o.Otlp.MaxAttributesPerRecord = -1, null,
            "Switchboard:Otlp:MaxAttributesPerRecord = -1 is not allowed: it must be at least 1."),
        ["otlp concurrent requests"] = (o => o.Otlp.MaxConcurrentRequests = 0, null,
            "Switchboard:Otlp:MaxConcurrentRequests = 0 is not allowed: it must be at least 1."),
        ["hook body"] = (o => o.Hooks.MaxBodyBytes = 10, null,
            "Switchboard:Hooks:MaxBodyBytes = 10 is not allowed: it must be at least 1,024."),
        ["hook end grace"] = (o => o.Hooks.EndGrace = TimeSpan.FromSeconds(-1), null,
            "Switchboard:Hooks:EndGrace = -00:00:01 is not allowed: it must be from 0 to 10 minutes."),
        ["hook approval wait"] = (o => o.Hooks.ApprovalWait = TimeSpan.FromMinutes(10), null,
            "Switchboard:Hooks:ApprovalWait = 00:10:00 is not allowed: it must be a positive duration of at most 9 minutes, below the agents' 10-minute hook timeout."),
        ["hook activity"] = (o => o.Hooks.Activity = (Switchboard.Server.Hooks.Options.HookActivity)7, null,
            "Switchboard:Hooks:Activity = 7 is not allowed: it must be none, tool or summary."),
        ["hook approval expired"] = (o => o.Hooks.ApprovalExpired = (Switchboard.Server.Hooks.Options.HookApprovalFallback)5, null,
            "Switchboard:Hooks:ApprovalExpired = 5 is not allowed: it must be none (the agent follows its own rules) or deny."),
        ["hook approval tools"] = (o => o.Hooks.ApprovalTools = ["Bash", " "], null,
            "Switchboard:Hooks:ApprovalTools = ' ' is not allowed: each tool name must be 1-200 characters, as the agent names the tool (Bash, run_shell_command)."),
        ["approval hold rule"] = (o => o.Approvals.Hold = ["Bash(rm *"], null,
            "Switchboard:Approvals:Hold:0 = 'Bash(rm *' is not allowed: a pattern goes in parentheses after the tool name and is not empty, such as Bash(rm *) or Write(*/.env)."),
        ["command outstanding"] = (o => o.Commands.MaxOutstandingPerSession = 0, null,
            "Switchboard:Commands:MaxOutstandingPerSession = 0 is not allowed: it must be from 1 to 10,000."),
        ["command redelivery past expiry"] = (o => o.Commands.RedeliverAfter = TimeSpan.FromMinutes(5), null,
            "Switchboard:Commands:RedeliverAfter = 00:05:00 is not allowed: it must be a positive duration shorter than a command's default expiry (00:05:00), such as 00:00:30 (hh:mm:ss)."),
        ["command redelivery zero"] = (o => o.Commands.RedeliverAfter = TimeSpan.Zero, null,
            "Switchboard:Commands:RedeliverAfter = 00:00:00 is not allowed: it must be a positive duration shorter than a command's default expiry (00:05:00), such as 00:00:30 (hh:mm:ss)."),
        ["drain delay"] = (o => o.ShutdownDrainDelay = TimeSpan.FromSeconds(-5), null,
            "Switchboard:ShutdownDrainDelay = -00:00:05 is not allowed: it must be zero or a positive duration such as 00:00:10 (hh:mm:ss)."),
        ["public url relative"] = (o => o.PublicUrl = new Uri("/switchboard", UriKind.Relative), null,
            "Switchboard:PublicUrl = /switchboard is not allowed: it must be the absolute http(s) URL people reach this server at, with no query, fragment or credentials, such as https://switchboard.example.com/."),
        ["public url scheme"] = (o => o.PublicUrl = new Uri("ftp://switchboard.example.com/"), null,
            "Switchboard:PublicUrl = ftp://switchboard.example.com/ is not allowed: it must be the absolute http(s) URL people reach this server at, with no query, fragment or credentials, such as https://switchboard.example.com/."),
        ["sqlite directory"] = (null, b => b.UseSqlite(o => o.DataDirectory = " "),
            "Switchboard:Sqlite:DataDirectory = ' ' is not allowed: give a directory, e.g. ./data."),
        ["postgres poll interval"] = (null, b => b.UsePostgres(UnreachablePostgres, o => o.PollInterval = TimeSpan.Zero),
            "Switchboard:Postgres:PollInterval = 00:00:00 is not allowed: it must be a positive duration such as 00:00:02."),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task AnInvalidSettingIsRefusedAtStartWithOneLine(string name)
    {
        var (options, store, line) = Cases[name];
        var failure = await Should.ThrowAsync<InvalidOperationException>(() => SwitchboardServer.StartAsync(options, store: store));

        var invalid = failure.InnerException.ShouldBeOfType<OptionsValidationException>(failure.ToString());
        invalid.Failures.ShouldBe([line]);
    }

    [Fact]
    public void ThePublicUrlIsReadFromConfigurationAsAUrlAndAPathAloneIsRefused()
    {
        static SwitchboardOptions Bind(string value)
        {
            var options = new SwitchboardOptions();
            new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Switchboard:PublicUrl"] = value }).Build()
                .GetSection("Switchboard").Bind(options);
            return options;
        }

        Bind("https://switchboard.example.com/ops").PublicUrl.ShouldBe(new Uri("https://switchboard.example.com/ops"));
        var validator = new Switchboard.Server.Options.Validation.SwitchboardOptionsValidator();
        validator.Validate(null, Bind("https://switchboard.example.com/ops")).Succeeded.ShouldBeTrue();
        validator.Validate(null, Bind("switchboard.example.com")).Failures.ShouldHaveSingleItem().ShouldStartWith("Switchboard:PublicUrl = switchboard.example.com is not allowed");
    }

    [Fact]
    public async Task TheDefaultsPassAndEveryProblemIsItsOwnLine()
    {
        await using (var fine = await SwitchboardServer.StartAsync())
        {
            fine.Get<IOptions<SwitchboardOptions>>().Value.Sockets.SendQueueMaxFrames.ShouldBe(8192);
        }

        var failure = await Should.ThrowAsync<InvalidOperationException>(() => SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.SendQueueMaxFrames = 0;
            o.Sockets.MaxConnections = -1;
        }));
        var invalid = failure.InnerException.ShouldBeOfType<OptionsValidationException>();
        invalid.Failures.ShouldBe([
            "Switchboard:Sockets:MaxConnections = -1 is not allowed: it must be at least 1.",
            "Switchboard:Sockets:SendQueueMaxFrames = 0 is not allowed: it must be at least 1.",
        ]);
    }

    [Fact]
    public async Task NothingListensOrOpensWhenASettingIsRefused()
    {
        using var data = new TempDirectory();
        await Should.ThrowAsync<InvalidOperationException>(() =>
            SwitchboardServer.StartAsync(o => o.Sockets.SendQueueMaxFrames = 0, dataDirectory: data.Path));
        File.Exists(Path.Combine(data.Path, "switchboard.db")).ShouldBeFalse("the store was never opened");
    }
}
