using System.Reflection;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Tests;

/// <summary>
/// A plain session field is declared once, as its row in <see cref="SessionWire"/>, and the generator gives it typed
/// members on the session and the requests, with their checks and application: measured on the running tasks, and on
/// every plain row.
/// </summary>
public sealed class PlainFieldsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static WriteContext At(DateTimeOffset now) => new(now, 0, FleetPaused: false);

    [Fact]
    public void ACreateAndAnUpdateSetAPlainFieldAndAnUpdateWithoutItLeavesIt()
    {
        var created = SessionTransitions.Apply(new CreateSession { Id = "p", TasksRunning = 2 }, null, At(T0)).Session!;
        created.TasksRunning.ShouldBe(2);
        var updated = SessionTransitions.Apply(new UpdateSession("p") { TasksRunning = 5 }, created, At(T0)).Session!;
        updated.TasksRunning.ShouldBe(5);
        SessionTransitions.Apply(new UpdateSession("p") { Name = "n" }, updated, At(T0)).Session!.TasksRunning.ShouldBe(5);
        SessionTransitions.Apply(new UpdateSession("p") { TasksRunning = 5 }, updated, At(T0)).Event.ShouldBeNull("the same value is no change");
    }

    [Fact]
    public void AValueBelowTheDeclaredMinimumIsRefusedNamingTheField()
    {
        foreach (var write in new SessionWrite[] { new CreateSession { Id = "p", TasksRunning = -1 }, new UpdateSession("p") { TasksRunning = -1 } })
        {
            var error = WriteValidator.Validate(write).ShouldNotBeNull();
            error.Code.ShouldBe("invalid_field");
            error.Field.ShouldBe("tasks_running");
            error.Detail.ShouldBe("'tasks_running' must be zero or positive; got -1.");
        }

        WriteValidator.Validate(new CreateSession { Id = "p", TasksRunning = 0 }).ShouldBeNull();
        WriteValidator.Validate(new UpdateSession("p") { TasksRunning = int.MaxValue }).ShouldBeNull();
    }

    [Fact]
    public void EveryPlainFieldIsBoundToTheSessionRecord()
    {
        var plain = SessionWire.All.Where(f => f.Has(WireFieldUse.Plain)).ToList();
        plain.ShouldNotBeEmpty();
        foreach (var field in plain)
        {
            SessionFields.Table.TryGet(field.Name!, out var binding).ShouldBeTrue(field.Name);
            binding.Field.ShouldBeSameAs(field);
        }
    }

    [Fact]
    public void EveryPlainFieldHasTypedPropertiesOnTheSessionAndTheRequestsItMaySet()
    {
        foreach (var (field, member) in PlainRows())
        {
            var type = field.Kind switch
            {
                WireFieldKind.Int32 => typeof(int),
                WireFieldKind.Int64 => typeof(long),
                WireFieldKind.Decimal => typeof(decimal),
                WireFieldKind.Bool => typeof(bool),
                _ => typeof(string),
            };
            var held = field.Nullable && type.IsValueType ? typeof(Nullable<>).MakeGenericType(type) : type;
            var leftOut = field.Nullable ? typeof(Optional<>).MakeGenericType(held) : type.IsValueType ? typeof(Nullable<>).MakeGenericType(type) : type;

            typeof(Session).GetProperty(member).ShouldNotBeNull(member).PropertyType.ShouldBe(held, $"Session.{member}");
            if (field.Has(WireFieldUse.Create))
            {
                typeof(CreateSession).GetProperty(member).ShouldNotBeNull(member).PropertyType.ShouldBe(held, $"CreateSession.{member}");
            }

            if (field.Has(WireFieldUse.Update))
            {
                typeof(UpdateSession).GetProperty(member).ShouldNotBeNull(member).PropertyType.ShouldBe(leftOut, $"UpdateSession.{member}");
            }
        }
    }

    [Fact]
    public void NoRequestCarriesUntypedFieldValues()
    {
        foreach (var record in new[] { typeof(CreateSession), typeof(UpdateSession) })
        {
            record.GetProperties().Where(p => p.PropertyType.GenericTypeArguments.Contains(typeof(object))).ShouldBeEmpty(record.Name);
        }
    }

    /// <summary>Each plain row with its C# name (the name of the generated properties).</summary>
    private static IEnumerable<(WireField Field, string Member)> PlainRows() =>
        typeof(SessionWire).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(WireField))
            .Select(f => ((WireField)f.GetValue(null)!, f.Name))
            .Where(r => r.Item1.Has(WireFieldUse.Plain));
}
