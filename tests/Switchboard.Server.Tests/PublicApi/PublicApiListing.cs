using System.Reflection;
using System.Text;

namespace Switchboard.Server.Tests.PublicApi;

/// <summary>
/// The public surface of an assembly as sorted text, one line per type and member, read by reflection (the public-API
/// analyzer is not available here). What a caller outside the assembly can see: public types, and their public and
/// protected members (protected only where the type can be derived from). Reference types carry their nullability as
/// the compiler recorded it (<c>string?</c> against <c>string</c>, inside generic arguments and arrays too), read with
/// <see cref="NullabilityInfoContext"/>, so a nullability change is an API change.
/// </summary>
internal static class PublicApiListing
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
        BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string For(Assembly assembly) => For(assembly.GetExportedTypes());

    public static string For(IEnumerable<Type> types)
    {
        var text = new StringBuilder();
        foreach (var type in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.AppendLine(Describe(type));
            foreach (var member in Members(type).Order(StringComparer.Ordinal))
            {
                text.Append("  ").AppendLine(member);
            }
        }

        return text.ToString();
    }

    private static string Describe(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct"
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
            : type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class";
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && !typeof(Delegate).IsAssignableFrom(type))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static IEnumerable<string> Members(Type type)
    {
        var derivable = !type.IsSealed && !type.IsValueType;
        var nullability = new NullabilityInfoContext();
        bool Visible(MethodBase? m) => m is not null && (m.IsPublic || (derivable && (m.IsFamily || m.IsFamilyOrAssembly)));

        if (type.IsEnum)
        {
            foreach (var name in Enum.GetNames(type))
            {
                yield return $"{name} = {Convert.ToInt64(Enum.Parse(type, name), System.Globalization.CultureInfo.InvariantCulture)}";
            }

            yield break;
        }

        foreach (var member in type.GetMembers(Declared))
        {
            if (member.Name.StartsWith('<'))
            {
                continue; // compiler-generated (a record's <Clone>$)
            }

            switch (member)
            {
                case ConstructorInfo c when Visible(c):
                    yield return $"{Access(c)}{(c.IsStatic ? "static " : "")}ctor({Parameters(c, nullability)})";
                    break;
                case MethodInfo m when Visible(m) && !m.IsSpecialName || m is { IsSpecialName: true } op && op.Name.StartsWith("op_", StringComparison.Ordinal) && Visible(op):
                    var method = (MethodInfo)member;
                    var generic = method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";
                    yield return $"{Access(method)}{Modifiers(method)}{Name(method.ReturnType, Read(nullability.Create(method.ReturnParameter)))} {method.Name}{generic}({Parameters(method, nullability)})";
                    break;
                case PropertyInfo p when Visible(p.GetMethod) || Visible(p.SetMethod):
                    var accessors = (Visible(p.GetMethod) ? "get; " : "") +
                        (Visible(p.SetMethod) ? (p.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : "");
                    var indexer = p.GetIndexParameters() is { Length: > 0 } ip ? "[" + string.Join(", ", ip.Select(x => Name(x.ParameterType, Write(nullability.Create(x))))) + "]" : "";
                    var state = nullability.Create(p);
                    var shown = Visible(p.GetMethod) ? Read(state) : Write(state);
                    yield return $"{Access(p.GetMethod ?? p.SetMethod!)}{Modifiers(p.GetMethod ?? p.SetMethod!)}{Name(p.PropertyType, shown)} {p.Name}{indexer} {{ {accessors}}}";
                    break;
                case FieldInfo f when f.IsPublic || (derivable && (f.IsFamily || f.IsFamilyOrAssembly)):
                    var value = f.IsLiteral ? " = " + Literal(f.GetRawConstantValue()) : "";
                    yield return $"{(f.IsPublic ? "public " : "protected ")}{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType, Read(nullability.Create(f)))} {f.Name}{value}";
                    break;
                case EventInfo e when Visible(e.AddMethod):
                    yield return $"{Access(e.AddMethod!)}event {Name(e.EventHandlerType!, Read(nullability.Create(e)))} {e.Name}";
                    break;
                case Type nested when nested.IsNestedPublic:
                    break; // listed as a type of its own
            }
        }
    }

    private static string Access(MethodBase m) => m.IsPublic ? "public " : "protected ";

    private static string Modifiers(MethodBase m) =>
        m.IsStatic ? "static " : m.IsAbstract ? "abstract " : m.IsVirtual && !m.IsFinal ? "virtual " : "";

    private static string Parameters(MethodBase m, NullabilityInfoContext nullability) =>
        string.Join(", ", m.GetParameters().Select(p =>
            (p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "") +
            Name(p.ParameterType, p.IsOut ? Read(nullability.Create(p)) : Write(nullability.Create(p))) + " " + p.Name +
            (p.HasDefaultValue ? " = " + Literal(p.DefaultValue) : "")));

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>How a member's type reads: as a getter, a return value, a field, an out parameter.</summary>
    private static Shown Read(NullabilityInfo info) => new(info, info.ReadState);

    /// <summary>How a member's type is written: a parameter, a setter (where <c>[AllowNull]</c> and friends differ).</summary>
    private static Shown Write(NullabilityInfo info) => new(info, info.WriteState == NullabilityState.Unknown ? info.ReadState : info.WriteState);

    private readonly record struct Shown(NullabilityInfo Info, NullabilityState State);

    private static string Name(Type type) => Name(type, null);

    private static string Name(Type type, Shown? shown)
    {
        // "?" on a reference type (or an unconstrained generic parameter) the compiler recorded as nullable; value types
        // show it through Nullable<T> below.
        var mark = shown is { State: NullabilityState.Nullable } && !type.IsValueType ? "?" : "";
        NullabilityInfo? info = shown?.Info;
        Shown? Inner(NullabilityInfo? i) => i is null ? null : new Shown(i, i.ReadState);

        if (type.IsByRef)
        {
            return Name(type.GetElementType()!, shown);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!, Inner(info?.ElementType)) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + mark;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying, Inner(info?.GenericTypeArguments.FirstOrDefault())) + "?";
        }

        if (type.IsGenericParameter)
        {
            return type.Name + mark;
        }

        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (!type.IsGenericType)
        {
            return name + mark;
        }

        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var all = type.GetGenericArguments();
        var argumentInfo = info?.GenericTypeArguments is { } infos && infos.Length == all.Length ? infos : null;
        // Only the arguments this type adds over its declaring type.
        var skip = type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0;
        var arguments = all.Select((a, i) => Name(a, Inner(argumentInfo?[i]))).Skip(skip).ToList();
        return (tick < 0 ? name : name[..tick]) + (arguments.Count > 0 ? "<" + string.Join(", ", arguments) + ">" : "") + mark;
    }
}
