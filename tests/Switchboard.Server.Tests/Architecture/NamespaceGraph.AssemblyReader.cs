using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>How <see cref="NamespaceGraph"/> reads one assembly: its type references from metadata and method bodies.</summary>
internal sealed partial class NamespaceGraph
{
    private sealed class AssemblyReader(
        PEReader pe,
        Func<string, bool> include,
        Dictionary<string, HashSet<string>> edges,
        Dictionary<string, HashSet<string>> definedIn,
        Dictionary<(string, string), string> evidence,
        string assemblyName)
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType);

        private readonly MetadataReader _md = pe.GetMetadataReader();
        private HashSet<string> _uses = [];
        private string _namespace = "";
        private string _type = "";

        /// <summary>Notes the types named by a signature (created lazily: a primary constructor's initializers cannot name <c>this</c>).</summary>
        private Collector Signatures => field ??= new Collector(this);

        public void ReadAll()
        {
            foreach (var handle in _md.TypeDefinitions)
            {
                var ns = NamespaceOf(handle);
                if (ns.Length == 0 || !include(ns))
                {
                    continue;
                }

                if (_md.GetTypeDefinition(handle).GetDeclaringType().IsNil)
                {
                    definedIn.TryAdd(ns, []);
                    definedIn[ns].Add(assemblyName);
                }

                edges.TryAdd(ns, []);
                _uses = edges[ns];
                _namespace = ns;
                _type = _md.GetString(_md.GetTypeDefinition(handle).Name);
                ReadType(handle);
            }
        }

        private void ReadType(TypeDefinitionHandle handle)
        {
            var type = _md.GetTypeDefinition(handle);
            Use(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                Use(_md.GetInterfaceImplementation(i).Interface);
            }

            ReadGenericParameters(type.GetGenericParameters());
            ReadAttributes(type.GetCustomAttributes());
            foreach (var f in type.GetFields())
            {
                var field = _md.GetFieldDefinition(f);
                field.DecodeSignature(Signatures, null);
                ReadAttributes(field.GetCustomAttributes());
            }

            foreach (var p in type.GetProperties())
            {
                var property = _md.GetPropertyDefinition(p);
                property.DecodeSignature(Signatures, null);
                ReadAttributes(property.GetCustomAttributes());
            }

            foreach (var e in type.GetEvents())
            {
                Use(_md.GetEventDefinition(e).Type);
            }

            foreach (var m in type.GetMethods())
            {
                var method = _md.GetMethodDefinition(m);
                method.DecodeSignature(Signatures, null);
                ReadGenericParameters(method.GetGenericParameters());
                ReadAttributes(method.GetCustomAttributes());
                foreach (var p in method.GetParameters())
                {
                    ReadAttributes(_md.GetParameter(p).GetCustomAttributes());
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    ReadBody(pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }
        }

        private void ReadGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var g in parameters)
            {
                foreach (var c in _md.GetGenericParameter(g).GetConstraints())
                {
                    Use(_md.GetGenericParameterConstraint(c).Type);
                }
            }
        }

        private void ReadAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
            {
                Use(_md.GetCustomAttribute(a).Constructor);
            }
        }

        private void ReadBody(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                var locals = _md.GetStandaloneSignature(body.LocalSignature);
                if (locals.GetKind() == StandaloneSignatureKind.LocalVariables)
                {
                    locals.DecodeLocalSignature(Signatures, null);
                }
            }

            foreach (var region in body.ExceptionRegions)
            {
                Use(region.CatchType);
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = unchecked((short)(0xFE00 | il.ReadByte()));
                }

                switch (Operands[code])
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32(); // read first: `Offset += 4 * ReadInt32()` would add to the offset before the read
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        Use(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    default:
                        // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR: four bytes, no type of ours.
                        il.Offset += 4;
                        break;
                }
            }
        }

        private void Use(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    var definition = (TypeDefinitionHandle)handle;
                    UseNamespace(NamespaceOf(definition), _md.GetString(_md.GetTypeDefinition(definition).Name));
                    break;
                case HandleKind.TypeReference:
                    var reference = (TypeReferenceHandle)handle;
                    UseNamespace(NamespaceOf(reference), _md.GetString(_md.GetTypeReference(reference).Name));
                    break;
                case HandleKind.TypeSpecification:
                    _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(Signatures, null);
                    break;
                case HandleKind.MethodDefinition:
                    Use(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    Use(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = _md.GetMemberReference((MemberReferenceHandle)handle);
                    Use(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(Signatures, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(Signatures, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Use(spec.Method);
                    spec.DecodeSignature(Signatures, null);
                    break;
            }
        }

        private void UseNamespace(string ns, string typeName)
        {
            if (ns.Length > 0 && _uses.Add(ns))
            {
                evidence[(_namespace, ns)] = $"{_type} uses {typeName}";
            }
        }

        private string NamespaceOf(TypeDefinitionHandle handle)
        {
            var type = _md.GetTypeDefinition(handle);
            while (!type.GetDeclaringType().IsNil)
            {
                type = _md.GetTypeDefinition(type.GetDeclaringType());
            }

            return _md.GetString(type.Namespace);
        }

        private string NamespaceOf(TypeReferenceHandle handle)
        {
            var type = _md.GetTypeReference(handle);
            while (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                type = _md.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            }

            return _md.GetString(type.Namespace);
        }

        /// <summary>Decodes signatures only to note the namespaces of the types they name.</summary>
        private sealed class Collector(AssemblyReader owner) : ISignatureTypeProvider<int, object?>
        {
            public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => Note(handle);

            public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => Note(handle);

            public int GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) => Note(handle);

            public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

            public int GetSZArrayType(int elementType) => 0;

            public int GetArrayType(int elementType, ArrayShape shape) => 0;

            public int GetByReferenceType(int elementType) => 0;

            public int GetPointerType(int elementType) => 0;

            public int GetPinnedType(int elementType) => 0;

            public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

            public int GetGenericMethodParameter(object? context, int index) => 0;

            public int GetGenericTypeParameter(object? context, int index) => 0;

            public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

            public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;

            private int Note(EntityHandle handle)
            {
                owner.Use(handle);
                return 0;
            }
        }
    }
}
