using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Http;

/// <summary>
/// The wire shapes the OpenAPI document describes (and the clients' types are generated from, clients/codegen) are records
/// in the room whose endpoints use them (<c>Sessions/SessionContracts.cs</c>, <c>Alerts/AlertContracts.cs</c>, …), each
/// marked <see cref="IRequest"/> or <see cref="IResponse"/>. A request record is also the list of fields its parser
/// accepts (<see cref="Fields{T}"/>, the unknown-field check of the field reader), so a request field is declared once,
/// in its record; responses are written by the Json writers.
/// </summary>
/// <remarks>
/// Requests: every field is optional unless <see cref="RequiredFieldsAttribute"/> lists it, unknown fields are errors
/// (additionalProperties false), and a nullable type means JSON null is accepted (it clears the field). Responses: every
/// field is present unless <see cref="OptionalFieldsAttribute"/> lists it. Records marked
/// <see cref="SessionFieldsAttribute"/> get the session's fields from <c>SessionWire</c> and declare only their own.
/// </remarks>
internal static class Contracts
{
    /// <summary>Whether <paramref name="type"/> is a wire record (a request or a response) the OpenAPI document describes exactly.</summary>
    public static bool Is(Type type) => typeof(IRequest).IsAssignableFrom(type) || typeof(IResponse).IsAssignableFrom(type);

    /// <summary>
    /// The wire names of a request record's fields, in declaration order: what its parser accepts (anything else is an
    /// unknown-field error) and what the OpenAPI schema lists.
    /// </summary>
    public static string[] Fields<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : IRequest =>
        [.. typeof(T).GetConstructors().Single().GetParameters().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!))];

    /// <summary>The fields a request must have (wire names); the rest may be left out.</summary>
    public static IReadOnlyList<string> RequiredFields(Type type) => type.GetCustomAttribute<RequiredFieldsAttribute>()?.Names ?? [];

    /// <summary>Response fields that are left out rather than written as null.</summary>
    public static IReadOnlyList<string> OptionalResponseFields(Type type) => type.GetCustomAttribute<OptionalFieldsAttribute>()?.Names ?? [];
}

/// <summary>Marks a request body: fields are optional unless <see cref="RequiredFieldsAttribute"/> names them; unknown fields are errors.</summary>
internal interface IRequest;

/// <summary>Marks a response body (or a part of one): every field is present unless <see cref="OptionalFieldsAttribute"/> names it.</summary>
internal interface IResponse;

/// <summary>The fields (wire names) a request must have.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class RequiredFieldsAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>The fields (wire names) of a response that are left out rather than written as null.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class OptionalFieldsAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>The record's schema also has <c>SessionWire</c>'s fields with this use (see <c>SessionSchemas</c>).</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SessionFieldsAttribute(WireFieldUse use) : Attribute
{
    public WireFieldUse Use { get; } = use;
}
