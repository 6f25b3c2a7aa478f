using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// The log row: every store writes the head seq, the active-session count and the fleet flag with each commit that moves
/// them, and a store opened again starts from that row, so both stores hold and read the same values.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task EachCommitWritesTheHeadTheActiveCountAndTheFleetFlagToTheLogRowAndAReopenedStoreStartsFromIt()
    {
        var store = await OpenAsync();
        await store.WriteAsync([new CreateSession { Id = "a" }, new CreateSession { Id = "b" }, new CreateSession { Id = "c" }], CancellationToken.None);
        await WriteOne(store, new TerminateSession("b"));
        (await ((SqlStore)store).ReadLogRowAsync()).ShouldBe(new LogHead(4, 2, false));

        await WriteOne(store, new SetFleetPaused(true));
        (await ((SqlStore)store).ReadLogRowAsync()).ShouldBe(new LogHead(5, 2, true), "the fleet flag moves with its event's seq");
        await CloseAsync(store);

        var reopened = (SqlStore)await OpenAsync();
        (await reopened.TransactAsync(async tx => await tx.ReadHeadAsync())).ShouldBe(new LogHead(5, 2, true));
        (await reopened.LoadStateAsync(CancellationToken.None)).FleetPaused.ShouldBeTrue();
        var created = await WriteOne(reopened, new CreateSession { Id = "d" });
        created.Event!.Seq.ShouldBe(6);
        (await reopened.ReadLogRowAsync()).ShouldBe(new LogHead(6, 3, true));
    }
}
