using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// A plain session field is set by requests through their generic values, checked and applied by walking its declaration
/// (<see cref="PlainFields"/>): measured on the running tasks.
/// </summary>
public sealed class PlainFieldsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static WriteContext At(DateTimeOffset now) => new(now, 0, FleetPaused: false);

    private static Dictionary<string, object?> Tasks(object? value) => new() { ["tasks_running"] = value };

    [Fact]
    public void ACreateAndAnUpdateSetAPlainFieldAndAnUpdateWithoutItLeavesIt()
    {
        var created = SessionWriteProcessor.Apply(new CreateSession { Id = "p", Fields = Tasks(2) }, null, At(T0)).Session!;
        created.TasksRunning.ShouldBe(2);
        var updated = SessionWriteProcessor.Apply(new UpdateSession("p") { Fields = Tasks(5) }, created, At(T0)).Session!;
        updated.TasksRunning.ShouldBe(5);
        SessionWriteProcessor.Apply(new UpdateSession("p") { Name = "n" }, updated, At(T0)).Session!.TasksRunning.ShouldBe(5);
        SessionWriteProcessor.Apply(new UpdateSession("p") { Fields = Tasks(5) }, updated, At(T0)).Event.ShouldBeNull("the same value is no change");
    }

    [Theory]
    [InlineData(-1, "'tasks_running' must be zero or positive; got -1.")]
    [InlineData(3L, "'tasks_running' must be a Int32 value; got Int64.")]
    [InlineData("3", "'tasks_running' must be a Int32 value; got String.")]
    [InlineData(null, "'tasks_running' cannot be null.")]
    public void AValueOutsideTheDeclaredKindOrLimitsIsRefusedNamingTheField(object? value, string detail)
    {
        foreach (var write in new SessionWrite[] { new CreateSession { Id = "p", Fields = Tasks(value) }, new UpdateSession("p") { Fields = Tasks(value) } })
        {
            var error = WriteValidator.Validate(write).ShouldNotBeNull();
            error.Code.ShouldBe("invalid_field");
            error.Field.ShouldBe("tasks_running");
            error.Detail.ShouldBe(detail);
        }
    }

    [Fact]
    public void AFieldThatIsNotPlainCannotBeSetThroughTheGenericValues()
    {
        var error = WriteValidator.Validate(new UpdateSession("p") { Fields = new Dictionary<string, object?> { ["input_tokens"] = 5L } }).ShouldNotBeNull();
        error.Field.ShouldBe("input_tokens");
        error.Detail.ShouldContain("tasks_running", customMessage: "it names the fields that may be set");
    }

    [Fact]
    public void EveryPlainFieldIsBoundByItsNameToTheSessionRecord()
    {
        PlainFields.All.ShouldNotBeEmpty();
        foreach (var field in PlainFields.All)
        {
            SessionFields.Table.TryGet(field.Name!, out var binding).ShouldBeTrue(field.Name);
            binding.Field.ShouldBeSameAs(field);
        }
    }
}
