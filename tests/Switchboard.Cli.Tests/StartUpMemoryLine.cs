using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Cli.Tests;

/// <summary>The figures of the executable's "Start-up memory returned" line (<c>Hosting.StartUpMemoryReturned</c>).</summary>
internal sealed partial record StartUpMemoryLine(double StartMb, double PagedOutMb, int Mappings, double MappedMb, double CollectedMb)
{
    public static StartUpMemoryLine Parse(string line)
    {
        var match = Pattern().Match(line);
        match.Success.ShouldBeTrue(line);
        double Mb(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return new StartUpMemoryLine(Mb(1), Mb(2), int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture), Mb(4), Mb(5));
    }

    [GeneratedRegex(@"Start-up memory returned: RSS (\d+\.\d) MB, (\d+\.\d) MB after paging out (\d+) read-only program file mappings \((\d+\.\d) MB mapped\), (\d+\.\d) MB after a compacting collection, in \d+ ms")]
    private static partial Regex Pattern();
}
