using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Switchboard.Generators;

/// <summary>
/// Generates what a plain session field needs beyond its row in <c>SessionWire</c>: in Switchboard.Core the
/// <c>Session</c> property, the typed <c>CreateSession</c>/<c>UpdateSession</c> properties with their request reading,
/// checks and application, the binding and the store column table; in Switchboard.Client (which compiles
/// <c>SessionWire</c> as linked source) the <c>Session</c>, <c>NewSession</c> and <c>SessionUpdate</c> properties,
/// the binding and the request writing. Any other assembly gets nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SessionFieldGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor Unsupported = new(
        "SBGEN001", "Session field cannot be plain", "{0}", "Switchboard.Generators", DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var fields = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => PlainFieldReader.IsCandidate(node), PlainFieldReader.Read)
            .Where(static f => f is not null)
            .Collect();
        var assembly = context.CompilationProvider.Select(static (c, _) => c.AssemblyName ?? "");

        context.RegisterSourceOutput(fields.Combine(assembly), static (output, input) => Emit(output, input.Left, input.Right));
    }

    private static void Emit(SourceProductionContext output, ImmutableArray<PlainField?> declared, string assembly)
    {
        var fields = declared.Select(f => f!).ToList();
        foreach (var refused in fields.Where(f => f.Problem is not null))
        {
            output.ReportDiagnostic(Diagnostic.Create(Unsupported, refused.Location, refused.Problem));
        }

        if (fields.Any(f => f.Problem is not null))
        {
            return;
        }

        var sources = assembly switch
        {
            "Switchboard.Core" => CoreSource.For(fields),
            "Switchboard.Client" => ClientSource.For(fields),
            _ => [],
        };
        foreach (var (hint, text) in sources)
        {
            output.AddSource(hint, text);
        }
    }
}
