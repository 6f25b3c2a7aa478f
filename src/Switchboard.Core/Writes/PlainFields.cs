using Switchboard.Errors;
using Switchboard.Sessions;

namespace Switchboard.Writes;

/// <summary>
/// The session's plain fields (<see cref="SessionWire.Use.Plain"/>): declared once in <see cref="SessionWire"/>, with no
/// rule beyond their kind and limits, so a request's values for them (<see cref="CreateSession.Fields"/>,
/// <see cref="UpdateSession.Fields"/>) are validated and applied by walking the table, and no request record, validator
/// or write processor names one.
/// </summary>
internal static class PlainFields
{
    /// <summary>The plain fields, in declaration order.</summary>
    public static readonly SessionWire.Field[] All = [.. SessionWire.All.Where(f => f.Has(SessionWire.Use.Plain))];

    /// <summary>The plain fields a request of <paramref name="use"/> (create or update) may set.</summary>
    public static IEnumerable<SessionWire.Field> For(SessionWire.Use use) => All.Where(f => f.Has(use));

    /// <summary>Why <paramref name="values"/> cannot be set by a request of <paramref name="use"/>; null when they can.</summary>
    public static SwitchboardError? Validate(IReadOnlyDictionary<string, object?>? values, SessionWire.Use use)
    {
        if (values is null)
        {
            return null;
        }

        foreach (var (name, value) in values)
        {
            if (For(use).FirstOrDefault(f => f.Name == name) is not { } field || !SessionFields.Table.TryGet(name, out var binding))
            {
                var allowed = string.Join(", ", For(use).Select(f => f.Name));
                return SwitchboardError.InvalidField(name, $"'{name}' is not a field this request sets as a plain value; those are: {allowed}.");
            }

            if (value is null)
            {
                if (!field.Nullable)
                {
                    return SwitchboardError.InvalidField(name, $"'{name}' cannot be null.");
                }

                continue;
            }

            if (value.GetType() != binding.ValueType)
            {
                return SwitchboardError.InvalidField(name, $"'{name}' must be a {binding.ValueType.Name} value; got {value.GetType().Name}.");
            }

            var refused = value switch
            {
                int i when i < field.Minimum => Below(field, i),
                long l when l < field.Minimum => Below(field, l),
                string s => WriteValidator.Text(name, s, field.MaxLength ?? int.MaxValue),
                _ => null,
            };
            if (refused is not null)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary><paramref name="session"/> with <paramref name="values"/> set (already validated).</summary>
    public static Session Apply(Session session, IReadOnlyDictionary<string, object?>? values)
    {
        if (values is null)
        {
            return session;
        }

        foreach (var (name, value) in values)
        {
            SessionFields.Table.TryGet(name, out var binding);
            session = binding.Set(session, value);
        }

        return session;
    }

    private static SwitchboardError Below(SessionWire.Field field, long value) => field.Minimum == 0
        ? WriteValidator.NonNegative(field.Name!, value)!
        : SwitchboardError.InvalidField(field.Name!, $"'{field.Name}' must be at least {field.Minimum}; got {value}.");
}
