using Switchboard.Server.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// The two-tenant matrix, generated from <see cref="AccessTable"/>: for every route, what its row promises is checked with
/// a request of <see cref="TenantProbes"/>. A red key against blue's session, a session without labels and an id that
/// does not exist: fleet-wide routes refused; routes about one session answered the same for all three (so the red key
/// learns nothing, not even that blue's exists); lists and streams without anything of the other two; and afterwards
/// everything of blue's and of the unlabelled session's byte-for-byte as before, on either store. Every route also
/// refuses a request without a key, and a read key's write; an agent key is refused exactly the operator's routes.
/// </summary>
public sealed class TwoTenantMatrixTests(PostgresClusterFixture postgres) : IAsyncDisposable
{
    private TenantMatrix _matrix = null!;

    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    public async ValueTask DisposeAsync()
    {
        if (_matrix is not null)
        {
            await _matrix.DisposeAsync();
        }
    }

    [Fact]
    public void EveryRouteOfTheTableHasAProbe()
    {
        var missing = AccessTable.Routes
            .Where(r => !TenantProbes.All.Any(p => p.Route == r.Pattern && (r.Method == AccessTable.AnyMethod || p.Method == r.Method)))
            .Select(r => $"{r.Method} {r.Pattern}").ToList();
        missing.ShouldBeEmpty("a new route needs its request in TenantMatrix.Probes.cs");
        TenantProbes.All.Where(p => Row(p) is null).Select(p => $"{p.Method} {p.Route}").ShouldBeEmpty("every probe is for a row of the table");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ARedKeyCannotTellBluesOrAnUnlabelledSessionFromNoneAndChangesNothingOfThem(string store)
    {
        _matrix = await TenantMatrix.StartAsync(postgres, store);
        var blueBefore = await _matrix.SnapshotAsync(_matrix.BlueTarget);
        var plainBefore = await _matrix.SnapshotAsync(_matrix.PlainTarget);
        var othersBefore = Others(await _matrix.AllSessionIdsAsync());
        var failures = new List<string>();
        foreach (var probe in TenantProbes.All)
        {
            var reach = ReachOf(probe);
            var unknown = _matrix.Unknown();
            var blue = await _matrix.SendAsync(_matrix.Red, probe, _matrix.BlueTarget);
            var plain = await _matrix.SendAsync(_matrix.Red, probe, _matrix.PlainTarget);
            var none = await _matrix.SendAsync(_matrix.Red, probe, unknown);
            var name = $"{probe.Method} {_matrix.BlueTarget.Fill(probe.Path)} ({reach})";
            if (reach == Reach.FleetWide)
            {
                // A HEAD answer has no body to name the code.
                Expect(blue.StartsWith("403 ", StringComparison.Ordinal) && (blue.Contains("insufficient_scope") || probe.Method == "HEAD"), name,
                    "403 insufficient_scope", blue);
                continue;
            }

            if (probe.CreatesTheTarget)
            {
                Expect(blue.StartsWith("409 ", StringComparison.Ordinal) && blue == plain, name, "409 for a taken id, the same for both", $"{blue}\n{plain}");
                continue;
            }

            if (probe.NamesATarget)
            {
                Expect(blue == none && plain == none, name, "the answer for a session that does not exist", $"blue:    {blue}\nplain:   {plain}\nunknown: {none}");
                continue;
            }

            var leaked = _matrix.BlueTarget.Names.Concat(_matrix.PlainTarget.Names).Where(n => blue.Contains(n, StringComparison.Ordinal)).ToList();
            Expect(leaked.Count == 0 && !blue.StartsWith('5'), name, "nothing of blue's or the unlabelled session's", $"{string.Join(", ", leaked)} in {Clip(blue)}");
        }

        failures.ShouldBeEmpty();
        Changed(blueBefore, await _matrix.SnapshotAsync(_matrix.BlueTarget)).ShouldBeEmpty("blue's session, events, usage, approvals, commands and streams");
        Changed(plainBefore, await _matrix.SnapshotAsync(_matrix.PlainTarget)).ShouldBeEmpty("the unlabelled session's too");
        Others(await _matrix.AllSessionIdsAsync()).ShouldBe(othersBefore, "no session outside red's scope was created (a continuation, a sub-agent)");

        void Expect(bool ok, string probe, string expected, string got)
        {
            if (!ok)
            {
                failures.Add($"{probe}: expected {expected}; got\n{got}");
            }
        }
    }

    [Fact]
    public async Task EveryRouteThatNeedsAKeyRefusesNoneAndEveryWriteRefusesAReadKey()
    {
        _matrix = await TenantMatrix.StartAsync(postgres, "sqlite"); // refused before any store is read
        var failures = new List<string>();
        foreach (var probe in TenantProbes.All.Where(p => p.Transport == ProbeTransport.Http))
        {
            var row = Row(probe)!;
            var target = _matrix.Unknown();
            if (row.Caller is Caller.Reader or Caller.Agent or Caller.Operator or Caller.AnyKey)
            {
                var anonymous = await _matrix.SendAsync(_matrix.Anonymous, probe, target);
                if (!anonymous.StartsWith("401 ", StringComparison.Ordinal))
                {
                    failures.Add($"{probe.Method} {probe.Path} without a key: {Clip(anonymous)}");
                }
            }

            if (row.Caller is Caller.Agent or Caller.Operator)
            {
                var read = await _matrix.SendAsync(_matrix.Reader, probe, target);
                if (!read.StartsWith("403 ", StringComparison.Ordinal) || !read.Contains("insufficient_scope"))
                {
                    failures.Add($"{probe.Method} {probe.Path} with a read key: {Clip(read)}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnAgentKeyIsRefusedEveryOperatorRouteWithInsufficientRoleAndPassesEveryOther()
    {
        _matrix = await TenantMatrix.StartAsync(postgres, "sqlite"); // refused before any store is read
        var failures = new List<string>();
        foreach (var probe in TenantProbes.All.Where(p => p.Transport == ProbeTransport.Http))
        {
            var row = Row(probe)!;
            var agent = await _matrix.SendAsync(_matrix.Agent, probe, _matrix.Unknown());
            var refused = agent.StartsWith("403 ", StringComparison.Ordinal) && agent.Contains("insufficient_role", StringComparison.Ordinal);
            if (row.Caller == Caller.Operator)
            {
                if (!refused)
                {
                    failures.Add($"{probe.Method} {probe.Path} with an agent key: expected 403 insufficient_role; got {Clip(agent)}");
                }

                var admin = await _matrix.SendAsync(_matrix.Admin, probe, _matrix.Unknown());
                if (admin.StartsWith("401 ", StringComparison.Ordinal) || admin.StartsWith("403 ", StringComparison.Ordinal))
                {
                    failures.Add($"{probe.Method} {probe.Path} with an operator key: expected past the role check; got {Clip(admin)}");
                }
            }
            else if (agent.StartsWith("401 ", StringComparison.Ordinal) || agent.StartsWith("403 ", StringComparison.Ordinal))
            {
                failures.Add($"{probe.Method} {probe.Path} with an agent key: expected past the role check; got {Clip(agent)}");
            }
        }

        failures.ShouldBeEmpty();
    }

    private static RouteAccess? Row(Probe probe) => AccessTable.Find(probe.Method, probe.Route);

    /// <summary>The reach the table gives the probe's route, the kind of stream path resolved for stream routes.</summary>
    private static Reach ReachOf(Probe probe)
    {
        var reach = Row(probe)!.Reach;
        if (reach != Reach.ByStreamPath)
        {
            return reach;
        }

        var path = probe.Path["/v1/stream/".Length..].Split('?')[0];
        var kind = Switchboard.Server.Streams.SessionStreams.KindOf(path);
        return kind == StreamPathKind.Topic && Switchboard.Server.Live.TopicRoute.TryParse(Uri.UnescapeDataString(path["topics/".Length..]).Replace("{id}", "x"), out var topic)
            ? AccessTable.Topics[topic.Kind]
            : AccessTable.StreamPaths[kind];
    }

    /// <summary>Sessions outside red's own: those a red probe must never create.</summary>
    private static List<string> Others(List<string> ids) =>
        [.. ids.Where(id => !id.StartsWith("nobody-", StringComparison.Ordinal) && !id.Contains("nobody-agent-", StringComparison.Ordinal)
            && id != "red-1").Order(StringComparer.Ordinal)];

    /// <summary>The lines of a snapshot that differ, before and after.</summary>
    private static List<string> Changed(string before, string after)
    {
        var was = before.Split('\n');
        var now = after.Split('\n');
        return [.. was.Zip(now).Where(p => p.First != p.Second).Select(p => $"before: {Clip(p.First)}\nafter:  {Clip(p.Second)}")];
    }

    private static string Clip(string text) => text.Length > 4000 ? text[..4000] + "…" : text;
}
