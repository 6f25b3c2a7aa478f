using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Server.Tests.Architecture;

/// <summary>
/// Every time read in <c>src/</c> goes through a <see cref="TimeProvider"/> (its timestamps for monotonic needs), so
/// pacing, admission, leases and timeouts can be driven by a manual clock in tests. Read from the source.
/// </summary>
public sealed partial class OneClockTests
{
    [Fact]
    public void NoSourceFileReadsTheTimeAroundTheTimeProvider()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (ForeignClock().Match(lines[i]) is { Success: true } match)
                {
                    offenders.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{i + 1}: {match.Value}");
                }
            }
        }

        offenders.ShouldBeEmpty("read the time from the injected TimeProvider (GetUtcNow, GetTimestamp, CreateTimer)");
    }

    [Theory]
    [InlineData("var now = Environment.TickCount64;")]
    [InlineData("var started = Stopwatch.GetTimestamp();")]
    [InlineData("var watch = Stopwatch.StartNew();")]
    [InlineData("_timer = new Timer(Tick, this, 2, Timeout.Infinite);")]
    [InlineData("_timer = new System.Threading.Timer(Tick);")]
    [InlineData("var at = DateTimeOffset.UtcNow;")]
    [InlineData("var at = DateTime.Now;")]
    public void TheCheckRecognisesEachForeignClock(string line) => ForeignClock().IsMatch(line).ShouldBeTrue();

    [Fact]
    public void TheCheckReadsTheWholeSourceTree() => SourceFiles().Count().ShouldBeGreaterThan(200);

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex(@"Environment\.TickCount|\bStopwatch\b|new\s+(System\.Threading\.)?Timer\s*\(|\bDateTime(Offset)?\.(UtcNow|Now|Today)\b")]
    private static partial Regex ForeignClock();
}
