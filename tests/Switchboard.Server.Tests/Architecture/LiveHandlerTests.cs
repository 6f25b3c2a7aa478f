using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// The live core stays one loop with one handler per concern: no file of it (a handler or anything else under
/// <c>src/Switchboard.Server/Live</c>) is over 250 lines, every message the loop can receive is an immutable record with
/// exactly one handler, and what crosses between the loop and the joiner is immutable too.
/// </summary>
public sealed class LiveHandlerTests
{
    private const int MaxLines = 250;

    private static readonly string LiveFolder = Path.Combine(RepoPaths.Root, "src", "Switchboard.Server", "Live");

    private static readonly Type[] ServerTypes = typeof(LiveHub).Assembly.GetTypes();

    [Fact]
    public void NoHandlerNorAnyOtherFileOfTheLiveCoreIsOver250Lines()
    {
        var files = Directory.EnumerateFiles(LiveFolder, "*.cs", SearchOption.AllDirectories).ToList();
        files.Count.ShouldBeGreaterThan(20, "the check reads the live core's source");
        var tooLong = files.Select(f => (File: Path.GetRelativePath(RepoPaths.Root, f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > MaxLines).Select(f => $"{f.File}: {f.Lines} lines").ToList();
        tooLong.ShouldBeEmpty($"a live handler (and every other file of the live core) stays within {MaxLines} lines: split it by concern");
    }

    [Fact]
    public void EveryHandlerIsAClassOfItsOwnUnderLive()
    {
        var handlers = ServerTypes.Where(t => t.IsSubclassOf(typeof(LiveHandler))).ToList();
        handlers.Count.ShouldBeGreaterThanOrEqualTo(7, "projection, reads, joins, presence, summary, usage, health");
        var sources = Directory.EnumerateFiles(LiveFolder, "*.cs", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);
        foreach (var handler in handlers)
        {
            handler.IsSealed.ShouldBeTrue($"{handler.Name} is sealed");
            var declared = sources.Where(s => s.Value.Contains($"class {handler.Name}", StringComparison.Ordinal)).Select(s => s.Key).ToList();
            declared.ShouldHaveSingleItem($"{handler.Name} is declared in one file under src/Switchboard.Server/Live (so the line limit covers it)");
        }
    }

    [Fact]
    public async Task EveryMessageHasExactlyOneHandler()
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-routes-").FullName;
        try
        {
            await using var store = new SqliteSessionStore(new SqliteStoreOptions(Path.Combine(directory, "switchboard.db")), TimeProvider.System);
            await store.InitializeAsync(TestContext.Current.CancellationToken);
            var hub = new LiveHub(store, new SocketOptions(), TimeProvider.System, NullLogger<LiveHub>.Instance);
            var routed = hub.Routes.Types.ToHashSet();
            var messages = ServerTypes.Where(t => t.IsSubclassOf(typeof(LiveMessage)) && !t.IsAbstract).ToList();
            messages.Count.ShouldBeGreaterThan(15);
            messages.Where(m => !routed.Contains(m)).Select(m => m.Name).ToList()
                .ShouldBeEmpty("every message the loop can receive is taken by one handler (LiveHandler.Register)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void MessagesAndWhatCrossesBetweenLoopAndJoinerAreImmutableRecords()
    {
        var crossing = ServerTypes.Where(t => t.IsSubclassOf(typeof(LiveMessage)) && !t.IsAbstract)
            .Concat([typeof(Joined), typeof(JoinResult), typeof(SessionPage), typeof(UsageSeries), typeof(JoinRequest)]);
        var mutable = new List<string>();
        foreach (var type in crossing)
        {
            if (type.GetMethod("<Clone>$") is null)
            {
                mutable.Add($"{type.Name} is not a record");
            }

            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                const BindingFlags declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
                mutable.AddRange(t.GetProperties(declared)
                    .Where(p => p.SetMethod is { } set && !set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
                    .Select(p => $"{type.Name}.{p.Name} has a setter"));
                mutable.AddRange(t.GetFields(declared).Where(f => !f.IsInitOnly).Select(f => $"{type.Name}.{f.Name} is a writable field"));
            }
        }

        mutable.ShouldBeEmpty("a message is an immutable record (replies are TaskCompletionSources it carries)");
    }
}
