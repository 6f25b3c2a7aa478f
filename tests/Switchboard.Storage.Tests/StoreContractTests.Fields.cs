using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>Every field <c>SessionWire</c> declares stored is a column of this store, written and read back as it was.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task EveryDeclaredStoredFieldRoundTripsThroughTheStore()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "up" });
        var written = (await WriteOne(store, new CreateSession
        {
            Id = "f",
            ParentId = "up",
            Name = "every field",
            State = SessionState.Error,
            Labels = new Dictionary<string, string> { ["team"] = "red" },
            Metadata = """{"k":[1,2]}""",
            ErrorMessage = "boom",
            InputTokens = 7,
            OutputTokens = 9,
            CostUsd = 0.125m,
            TasksRunning = 4,
            LeaseSeconds = 60,
            AcceptsCommands = false,
            Continues = "f-before",
            UsageFrom = "metrics",
            Activity = "Bash",
        })).Session.ShouldNotBeNull();
        // The server sets a session's streams only with a stream of it, in the same transaction.
        written = (await WriteOne(store, new WriteSessionStream("f", "output",
            new Switchboard.Core.Streams.CreateStream("sessions/f/output", "owner") { SessionId = "f", ContentType = "text/plain" }))).Session.ShouldNotBeNull();
        written.Streams.ShouldNotBeEmpty();

        var read = (await store.GetSessionAsync("f", CancellationToken.None)).ShouldNotBeNull();
        foreach (var binding in SessionFields.Table.Stored)
        {
            binding.Differs(written, read).ShouldBeFalse($"'{binding.Field}' reads back as it was written");
        }

        var ended = (await WriteOne(store, new TerminateSession("f"))).Session.ShouldNotBeNull();
        var endedRead = (await store.GetSessionAsync("f", CancellationToken.None)).ShouldNotBeNull();
        foreach (var binding in SessionFields.Table.Stored)
        {
            binding.Differs(ended, endedRead).ShouldBeFalse($"'{binding.Field}' reads back as it was written, after the end");
            var set = binding.Field == SessionWire.TerminatedAt ? endedRead : read;
            binding.Differs(new Session { Id = "" }, set).ShouldBeTrue($"'{binding.Field}' was set by this test, so its column is really read");
        }
    }
}
