using Switchboard.Core.Alerts;
using Switchboard.Core.Commands;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Each primitive of <see cref="IStoreTransaction"/> on its own, on every store: what <see cref="UnitOfWork"/> relies on
/// when it runs the one write algorithm. A new store passes these before its writes can be right.
/// </summary>
public abstract partial class StoreContractTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private async Task<T> InTransaction<T>(ISessionStore store, Func<IStoreTransaction, Task<T>> body, bool commit = true) =>
        await ((SqlStore)store).TransactAsync(async tx =>
        {
            var result = await body(tx);
            if (commit)
            {
                await tx.CommitAsync();
            }

            return result;
        });

    [Fact]
    public async Task PrimitiveTelemetryKeysReturnOnlyTheNewOnesAndARollbackKeepsNone()
    {
        var store = await OpenAsync();
        (await InTransaction(store, async tx => await tx.InsertTelemetryKeysAsync(["k1", "k2"], At))).ShouldBe(["k1", "k2"], ignoreOrder: true);
        (await InTransaction(store, async tx => await tx.InsertTelemetryKeysAsync(["k2", "k3", "k3"], At))).ShouldBe(["k3"]);
        await InTransaction(store, async tx => await tx.InsertTelemetryKeysAsync(["k4"], At), commit: false);
        (await InTransaction(store, async tx => await tx.InsertTelemetryKeysAsync(["k4"], At))).Single().ShouldBe("k4", "the rolled-back insert left nothing");
    }

    [Fact]
    public async Task PrimitiveMetricStreamsRoundTripAndALaterWriteReplacesThePoint()
    {
        var store = await OpenAsync();
        (await InTransaction(store, async tx => await tx.ReadMetricStreamsAsync(["m1"]))).ShouldBeEmpty();
        await InTransaction(store, async tx =>
        {
            await tx.WriteMetricStreamsAsync(new Dictionary<string, StreamState> { ["m1"] = new(1, 2, 10.5m), ["m2"] = new(1, 3, 7m) }, At);
            return 0;
        });
        await InTransaction(store, async tx =>
        {
            await tx.WriteMetricStreamsAsync(new Dictionary<string, StreamState> { ["m1"] = new(1, 5, 12.25m) }, At);
            return 0;
        });
        var read = await InTransaction(store, async tx => await tx.ReadMetricStreamsAsync(["m1", "m2", "m3"]));
        read.Count.ShouldBe(2);
        read["m1"].ShouldBe(new StreamState(1, 5, 12.25m));
        read["m2"].ShouldBe(new StreamState(1, 3, 7m));
    }

    [Fact]
    public async Task PrimitiveSpanOwnersKeepTheirFirstOwnerAndWaitsAreTakenOnce()
    {
        var store = await OpenAsync();
        await InTransaction(store, async tx =>
        {
            await tx.WriteSpanOwnersAsync([("span-a", "s1"), ("span-b", "s2")], At);
            await tx.WriteSpanOwnersAsync([("span-a", "s9")], At); // recorded again (a retry): the owner stays
            await tx.WriteWaitsAsync([("span-c", "child-1"), ("span-c", "child-2"), ("span-d", "child-3")], At);
            await tx.WriteWaitsAsync([("span-c", "child-1")], At);
            return 0;
        });

        var owners = await InTransaction(store, async tx => await tx.ReadSpanOwnersAsync(["span-a", "span-b", "span-x"], At - TelemetryDedupe.Window));
        owners.ShouldBe(new Dictionary<string, string> { ["span-a"] = "s1", ["span-b"] = "s2" }, ignoreOrder: true);
        var taken = await InTransaction(store, async tx => await tx.TakeWaitsAsync(["span-c", "span-x"]));
        taken.ShouldBe([("span-c", "child-1"), ("span-c", "child-2")], ignoreOrder: true);
        (await InTransaction(store, async tx => await tx.TakeWaitsAsync(["span-c"]))).ShouldBeEmpty("taken once");
        (await InTransaction(store, async tx => await tx.TakeWaitsAsync(["span-d"]))).ShouldBe([("span-d", "child-3")]);
    }

    [Fact]
    public async Task PrimitiveTreeReadsGiveTheActiveDescendantsDeepestFirstAndAllInTreeOrder()
    {
        var store = await OpenAsync();
        await store.WriteAsync(
        [
            new CreateSession { Id = "r" },
            new CreateSession { Id = "a", ParentId = "r" },
            new CreateSession { Id = "a1", ParentId = "a" },
            new CreateSession { Id = "b", ParentId = "r" },
            new CreateSession { Id = "b1", ParentId = "b" },
            new CreateSession { Id = "other" },
        ], CancellationToken.None);
        await WriteOne(store, new TerminateSession("b1"));

        var active = await InTransaction(store, async tx => await tx.ReadDescendantsAsync("r", activeOnly: true, limit: 10));
        active.Select(d => d.Id).ShouldBe(["a1", "a", "b"], "active only, deepest first, then by path; never the session itself");
        active[0].Path.ShouldBe("r a a1");
        var all = await InTransaction(store, async tx => await tx.ReadDescendantsAsync("r", activeOnly: false, limit: 10));
        all.Select(d => d.Id).ShouldBe(["a", "a1", "b", "b1"], "all of them, in tree order");
        (await InTransaction(store, async tx => await tx.ReadDescendantsAsync("r", activeOnly: false, limit: 2))).Count.ShouldBe(2);
        (await InTransaction(store, async tx => await tx.ReadDescendantsAsync("other", activeOnly: false, limit: 10))).ShouldBeEmpty();
    }

    [Fact]
    public async Task PrimitiveLockSessionsReadsWhatExistsAndTheHeadIsTheLogs()
    {
        var store = await OpenAsync();
        await store.WriteAsync([new CreateSession { Id = "x", Name = "one" }, new CreateSession { Id = "y" }], CancellationToken.None);
        await WriteOne(store, new TerminateSession("y"));

        var locked = await InTransaction(store, async tx => await tx.LockSessionsAsync(["x", "y", "missing"]));
        locked.Keys.ShouldBe(["x", "y"], ignoreOrder: true);
        locked["x"].Name.ShouldBe("one");
        locked["y"].State.ShouldBe(SessionState.Terminated);
        var head = await InTransaction(store, async tx => await tx.ReadHeadAsync());
        head.HeadSeq.ShouldBe(3);
        head.ActiveCount.ShouldBe(1);
        head.FleetPaused.ShouldBeFalse();
    }

    [Fact]
    public async Task PrimitiveAlertAndCommandReadsFindTheirTargets()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        (await WriteOne(store, new RaiseAlert(NewAlert("r1", "s1", "s1")))).Event.ShouldNotBeNull();
        var pause = Issue("s1");
        var message = Issue("s1", CommandType.Cancel);
        await store.WriteAsync([pause, message], CancellationToken.None);
        await WriteOne(store, new DeliverCommands("s1", [message.Id]));
        (await WriteOne(store, new AcknowledgeCommand("s1", message.Id, CommandOutcome.Done, null))).Error.ShouldBeNull();

        var alerts = await InTransaction(store, async tx =>
            await tx.ReadAlertsAsync([AlertTarget.Open("r1", "s1"), AlertTarget.Open("r2", "s1"), AlertTarget.ById("nope")]));
        alerts[AlertTarget.Open("r1", "s1")].ShouldNotBeNull().RuleId.ShouldBe("r1");
        alerts.GetValueOrDefault(AlertTarget.Open("r2", "s1")).ShouldBeNull();
        alerts.GetValueOrDefault(AlertTarget.ById("nope")).ShouldBeNull();
        var byId = await InTransaction(store, async tx => await tx.ReadAlertsAsync([AlertTarget.ById(alerts[AlertTarget.Open("r1", "s1")]!.Id)]));
        byId.Values.Single().ShouldNotBeNull().Subject.ShouldBe("s1");
        var crossed = await InTransaction(store, async tx => await tx.ReadAlertsAsync([AlertTarget.Open("r1", "s2"), AlertTarget.Open("r2", "s1")]));
        crossed.Values.ShouldAllBe(a => a == null, "an open alert answers only the target of its own rule and subject");

        var outstanding = await InTransaction(store, async tx => await tx.ReadCommandsAsync(new RequestTargets([], ["s1"])));
        outstanding.Select(c => c.Id).ShouldBe([pause.Id], "only the outstanding commands of the session");
        var named = await InTransaction(store, async tx => await tx.ReadCommandsAsync(new RequestTargets([message.Id], [])));
        named.Single().State.ShouldBe(CommandState.Acknowledged);
    }
}
