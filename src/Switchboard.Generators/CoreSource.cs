namespace Switchboard.Generators;

/// <summary>What Switchboard.Core gets for its plain session fields.</summary>
internal static class CoreSource
{
    private const string In = "    ";
    private const string In2 = "        ";

    public static IEnumerable<(string Hint, string Text)> For(IReadOnlyList<PlainField> fields)
    {
        yield return ("Session.PlainFields.g.cs", Session(fields));
        yield return ("CreateSession.PlainFields.g.cs", Create(fields.Where(f => f.Create).ToList()));
        yield return ("UpdateSession.PlainFields.g.cs", Update(fields.Where(f => f.Update).ToList()));
        yield return ("SessionFields.PlainFields.g.cs", Bindings(fields));
    }

    private static string Session(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Core.Sessions").Line("partial record Session").Line("{").Properties(fields, f => f.Type).Line("}").ToString();

    private static string Create(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Core.Writes", "Switchboard.Core.Errors", "Switchboard.Core.Sessions").Line("partial record CreateSession").Line("{")
            .Properties(fields, f => f.Type, "Initial value: ")
            .Summary(In, "This request with the plain fields a create request's body sets (absent: their defaults).")
            .Line($"{In}internal CreateSession ReadPlainFields(IRequestFields body) => this with")
            .Line($"{In}{{")
            .Line(string.Concat(fields.Select(f => $"{In2}{f.Member} = body.{Kinds.ReaderOf(f.Kind, f.Nullable)}({f.Row}.Name!){(f.Nullable ? ".Value" : " ?? " + Kinds.DefaultOf(f.Kind))},\n")) + $"{In}}};")
            .Line()
            .Summary(In, "The first declared limit a plain field's value breaks, or null.")
            .Line($"{In}internal SwitchboardError? ValidatePlainFields() =>")
            .Line($"{In2}{Source.Join(fields.Where(f => f.HasLimits).Select(f => $"WriteValidator.Limits({f.Row}, {f.Member})"), $"\n{In2}?? ", "null")};")
            .Line()
            .Summary(In, "The new session with this request's plain fields.")
            .Line($"{In}internal Session ApplyPlainFields(Session session) => session with")
            .Line($"{In}{{")
            .Line(string.Concat(fields.Select(f => $"{In2}{f.Member} = {f.Member},\n")) + $"{In}}};")
            .Line("}").ToString();

    private static string Update(IReadOnlyList<PlainField> fields)
    {
        var absent = Source.Join(fields.Select(f => $"!body.Has({f.Row}.Name!)"), " && ", "true");
        var unset = Source.Join(fields.Select(f => f.Nullable ? $"!{f.Member}.HasValue" : $"{f.Member} is null"), " && ", "true");
        return new Source("Switchboard.Core.Writes", "Switchboard.Core.Errors", "Switchboard.Core.Sessions").Line("partial record UpdateSession").Line("{")
            .Properties(fields, f => f.OptionalType, "New value, when set: ")
            .Summary(In, "This request with the plain fields an update request's body sets (absent ones stay unset).")
            .Line($"{In}internal UpdateSession ReadPlainFields(IRequestFields body) => {absent} ? this : this with")
            .Line($"{In}{{")
            .Line(string.Concat(fields.Select(f => $"{In2}{f.Member} = body.{Kinds.ReaderOf(f.Kind, f.Nullable)}({f.Row}.Name!),\n")) + $"{In}}};")
            .Line()
            .Summary(In, "The first declared limit a plain field's new value breaks, or null.")
            .Line($"{In}internal SwitchboardError? ValidatePlainFields() =>")
            .Line($"{In2}{Source.Join(fields.Where(f => f.HasLimits).Select(f => $"WriteValidator.Limits({f.Row}, {f.Member}{(f.Nullable ? ".Value" : "")})"), $"\n{In2}?? ", "null")};")
            .Line()
            .Summary(In, "The next session with the plain fields this request sets; the others stay.")
            .Line($"{In}internal Session ApplyPlainFields(Session session) => {unset} ? session : session with")
            .Line($"{In}{{")
            .Line(string.Concat(fields.Select(f => f.Nullable
                ? $"{In2}{f.Member} = {f.Member}.HasValue ? {f.Member}.Value : session.{f.Member},\n"
                : $"{In2}{f.Member} = {f.Member} ?? session.{f.Member},\n")) + $"{In}}};")
            .Line("}").ToString();
    }

    private static string Bindings(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Core.Sessions")
            .Line("static partial class SessionFields")
            .Line("{")
            .Summary(In, "The plain fields bound to the session record with their shared codecs, in declaration order.")
            .Line($"{In}private static WireBinding<Session>[] PlainBindings() =>")
            .Line($"{In}[")
            .Line(string.Concat(fields.Select(f => $"{In2}{f.Binding},\n")) + $"{In}];")
            .Line()
            .Summary(In, "The plain fields' store columns (name, kind, nullability), from which each store's dialect writes its DDL.")
            .Line($"{In}public static readonly StoreColumn[] PlainColumns =")
            .Line($"{In}[")
            .Line(string.Concat(fields.Select(f => $"{In2}new({f.Row}.Column!, WireFieldKind.{f.Kind}, {(f.Nullable ? "true" : "false")}),\n")) + $"{In}];")
            .Line("}").ToString();
}
