using System.Reflection;
using Switchboard.Server.Options;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.FunctionalTests.Startup;

/// <summary>
/// A setting's error message names the values an enum setting takes from the executable's list
/// (<c>ConfigurationProblem.SettingEnums</c>), a list because the Native AOT executable cannot find a type by name. Every
/// enum the executable binds is on it. The list is read from the built executable's assembly, which no test references.
/// </summary>
public sealed class SettingEnumsTests
{
    [Fact]
    public void EveryEnumTheExecutableBindsIsOnTheListItsMessagesNameValuesFrom()
    {
        var found = new HashSet<Type>();
        foreach (var root in new[] { typeof(SwitchboardOptions), typeof(SqliteOptions), typeof(PostgresStoreOptions) })
        {
            Collect(root, found, []);
        }

        var listed = (Type[])Assembly.LoadFrom(RepoPaths.ServerDll).GetType("Switchboard.Cli.Serve.ConfigurationProblem", throwOnError: true)!
            .GetField("SettingEnums", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.NotEmpty(found);
        Assert.Empty(found.Select(t => t.FullName).Except(listed.Select(t => t.FullName)));
    }

    private static void Collect(Type type, HashSet<Type> enums, HashSet<Type> seen)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            enums.Add(type);
            return;
        }

        if (type.IsPrimitive || type == typeof(string) || type.Namespace?.StartsWith("Switchboard", StringComparison.Ordinal) != true && !type.IsArray && !type.IsGenericType)
        {
            return;
        }

        if (!seen.Add(type))
        {
            return;
        }

        if (type.IsArray)
        {
            Collect(type.GetElementType()!, enums, seen);
            return;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Collect(argument, enums, seen);
            }

            if (type.Namespace?.StartsWith("Switchboard", StringComparison.Ordinal) != true)
            {
                return;
            }
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Collect(property.PropertyType, enums, seen);
        }
    }
}
