using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests.Postgres;

/// <summary>Usage rollups with several nodes writing to one database: additive upserts merge to a recount of the log.</summary>
public sealed class PostgresUsageTests(PostgresClusterFixture postgres) : PostgresStoreTestBase(postgres)
{
    private static readonly UsageOptions Usage = new() { GroupBy = ["team", "model"] };

    [Fact]
    public async Task TwoNodesWritingConcurrentlyWithRestartsLeaveRollupsEqualToARecountOfTheLog()
    {
        var random = new Random(42);
        var ids = new List<string>();
        var nodes = new[] { await OpenNodeAsync(o => o with { Usage = Usage }), await OpenNodeAsync(o => o with { Usage = Usage }) };
        for (var round = 0; round < 4; round++)
        {
            await Task.WhenAll(nodes.Select((node, n) => Task.Run(async () =>
            {
                for (var i = 0; i < 40; i++)
                {
                    List<Switchboard.Core.Writes.SessionWrite> writes;
                    lock (ids)
                    {
                        Time.Advance(TimeSpan.FromSeconds(random.Next(1, 600)));
                        writes = [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => StoreContractTests.RandomWrite(random, ids, ["red", "blue", "green"], ["m1", "m2"]))];
                    }

                    await node.WriteAsync(writes, CancellationToken.None).WaitAsync(TestTimeouts.Default);
                }
            })));

            // One node restarts: it recounts the active sessions per label under the log lock and carries on.
            await nodes[round % 2].DisposeAsync();
            nodes[round % 2] = await OpenNodeAsync(o => o with { Usage = Usage });
        }

        var events = await nodes[0].ReadEventsAsync(new EventQuery { Limit = 100_000 }, CancellationToken.None);
        events.Count.ShouldBeGreaterThan(200);
        var expected = UsageRecount.FromLog(events, Usage.GroupBy);
        UsageRecount.ShouldMatch(await UsageRecount.ReadAllAsync(nodes[0], Usage.GroupBy), expected);
        UsageRecount.ShouldMatch(await UsageRecount.ReadAllAsync(nodes[1], Usage.GroupBy), expected);
    }
}
