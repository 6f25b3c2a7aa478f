using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Switchboard.Generators;

/// <summary>
/// Reads a row of <c>SessionWire</c> (<c>static readonly WireField X = new("x", Kind.K, nullable, Use.… | Use.Plain, …)</c>)
/// through the compiler's view of its constructor call, so named arguments and any constant expression read the same.
/// </summary>
internal static class PlainFieldReader
{
    /// <summary>Cheap syntax filter: a field initialised with <c>new(…)</c> inside a class named <c>SessionWire</c>.</summary>
    public static bool IsCandidate(SyntaxNode node) =>
        node is VariableDeclaratorSyntax { Initializer.Value: BaseObjectCreationExpressionSyntax }
        && node.Parent?.Parent is FieldDeclarationSyntax { Parent: ClassDeclarationSyntax { Identifier.ValueText: "SessionWire" } };

    /// <summary>The plain field the row declares; null for a row that is not plain (or not a field row at all).</summary>
    public static PlainField? Read(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declarator = (VariableDeclaratorSyntax)context.Node;
        var creation = declarator.Initializer!.Value;
        if (context.SemanticModel.GetOperation(creation, cancellationToken) is not IObjectCreationOperation
            {
                Type: INamedTypeSymbol { Name: "WireField", ContainingType: null },
            } operation)
        {
            return null;
        }

        string? name = null, kind = null, description = null;
        bool nullable = false, plain = false, create = false, update = false;
        foreach (var argument in operation.Arguments)
        {
            var value = argument.Value.ConstantValue is { HasValue: true } constant ? constant.Value : null;
            switch (argument.Parameter?.Name)
            {
                case "name":
                    name = value as string;
                    break;
                case "kind":
                    kind = MemberOf(argument.Value.Type, value);
                    break;
                case "nullable":
                    nullable = value is true;
                    break;
                case "use" when value is int use:
                    plain = Has(argument.Value.Type, use, "Plain");
                    create = Has(argument.Value.Type, use, "Create");
                    update = Has(argument.Value.Type, use, "Update");
                    break;
                case "description":
                    description = value as string;
                    break;
            }
        }

        if (!plain)
        {
            return null;
        }

        var field = new PlainField(declarator.Identifier.ValueText, name ?? "", kind ?? "?", nullable, create, update, description ?? "");
        var problem = name is null ? "A plain session field needs a constant wire name." : Kinds.Refusal(field.Kind, nullable);
        return problem is null ? field : field with { Problem = problem, Location = declarator.GetLocation() };
    }

    private static string? MemberOf(ITypeSymbol? enumType, object? value) =>
        enumType?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value))?.Name;

    private static bool Has(ITypeSymbol? flagsType, int value, string flag) =>
        flagsType?.GetMembers(flag).OfType<IFieldSymbol>().FirstOrDefault() is { ConstantValue: int bit } && (value & bit) == bit;
}
