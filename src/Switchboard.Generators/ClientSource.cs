namespace Switchboard.Generators;

/// <summary>What Switchboard.Client gets for the plain session fields it compiles from the linked <c>SessionWire</c>.</summary>
internal static class ClientSource
{
    private const string In = "    ";
    private const string In2 = "        ";

    public static IEnumerable<(string Hint, string Text)> For(IReadOnlyList<PlainField> fields)
    {
        yield return ("Session.PlainFields.g.cs", Session(fields));
        yield return ("NewSession.PlainFields.g.cs", Create(fields.Where(f => f.Create).ToList()));
        yield return ("SessionUpdate.PlainFields.g.cs", Update(fields.Where(f => f.Update).ToList()));
        yield return ("ClientSessionFields.PlainFields.g.cs", Bindings(fields));
        yield return ("RequestJson.PlainFields.g.cs", Requests(fields));
    }

    private static string Session(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Client").Line("partial record Session").Line("{").Properties(fields, f => f.Type).Line("}").ToString();

    private static string Create(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Client").Line("partial record NewSession").Line("{")
            .Properties(fields, f => f.BaseType + "?", "Initial value, when set: ").Line("}").ToString();

    private static string Update(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Client").Line("partial record SessionUpdate").Line("{")
            .Properties(fields, f => f.OptionalType, "New value, when set: ")
            .Line($"{In}private bool PlainFieldsUnset => {Source.Join(fields.Select(Unset), " && ", "true")};")
            .Line()
            .Line($"{In}private SessionUpdate MergePlainFields(SessionUpdate merged, SessionUpdate newer) => merged with")
            .Line($"{In}{{")
            .Line(string.Concat(fields.Select(f => f.Nullable
                ? $"{In2}{f.Member} = newer.{f.Member}.HasValue ? newer.{f.Member} : {f.Member},\n"
                : $"{In2}{f.Member} = newer.{f.Member} ?? {f.Member},\n")) + $"{In}}};")
            .Line()
            .Line($"{In}private bool PlainFieldsSatisfiedBy(Session session) =>")
            .Line($"{In2}{Source.Join(fields.Select(f => f.Nullable
                ? $"(!{f.Member}.HasValue || session.{f.Member} == {f.Member}.Value)"
                : $"({f.Member} is not {{ }} {Local(f)} || session.{f.Member} == {Local(f)})"), $"\n{In2}&& ", "true")};")
            .Line("}").ToString();

    private static string Bindings(IReadOnlyList<PlainField> fields) =>
        new Source("Switchboard.Client.Json", "Switchboard.Core.Sessions")
            .Line("static partial class ClientSessionFields")
            .Line("{")
            .Line($"{In}private static WireBinding<Session>[] PlainBindings() =>")
            .Line($"{In}[")
            .Line(string.Concat(fields.Select(f => $"{In2}{f.Binding},\n")) + $"{In}];")
            .Line("}").ToString();

    private static string Requests(IReadOnlyList<PlainField> fields)
    {
        var s = new Source("Switchboard.Client.Json", "System.Text.Json", "Switchboard.Core.Sessions").Line("static partial class RequestJson").Line("{");
        s.Line($"{In}private static void PlainFields(Utf8JsonWriter w, NewSession s)").Line($"{In}{{");
        foreach (var f in fields.Where(f => f.Create))
        {
            s.Line($"{In2}if (s.{f.Member} is {{ }} {Local(f)}) w.{Kinds.WriterOf(f.Kind)}({f.Row}.EncodedName, {Local(f)});");
        }

        s.Line($"{In}}}").Line().Line($"{In}private static void PlainFields(Utf8JsonWriter w, SessionUpdate u)").Line($"{In}{{");
        foreach (var f in fields.Where(f => f.Update))
        {
            if (!f.Nullable)
            {
                s.Line($"{In2}if (u.{f.Member} is {{ }} {Local(f)}) w.{Kinds.WriterOf(f.Kind)}({f.Row}.EncodedName, {Local(f)});");
            }
            else if (f.Kind == "Text")
            {
                s.Line($"{In2}if (u.{f.Member}.HasValue) w.WriteString({f.Row}.EncodedName, u.{f.Member}.Value);");
            }
            else
            {
                s.Line($"{In2}if (u.{f.Member}.HasValue)")
                    .Line($"{In2}{{")
                    .Line($"{In2}    if (u.{f.Member}.Value is {{ }} {Local(f)}) w.{Kinds.WriterOf(f.Kind)}({f.Row}.EncodedName, {Local(f)});")
                    .Line($"{In2}    else w.WriteNull({f.Row}.EncodedName);")
                    .Line($"{In2}}}");
            }
        }

        return s.Line($"{In}}}").Line("}").ToString();
    }

    private static string Unset(PlainField f) => f.Nullable ? $"!{f.Member}.HasValue" : $"{f.Member} is null";

    private static string Local(PlainField f) => "@" + char.ToLowerInvariant(f.Member[0]) + f.Member.Substring(1);
}
