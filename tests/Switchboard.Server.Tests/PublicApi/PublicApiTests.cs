using System.Reflection;
using Switchboard.Options;

namespace Switchboard.Server.Tests.PublicApi;

/// <summary>
/// The public surface of Core, Server and Client against the checked-in listings next to this file, so a change to what
/// callers can see is a reviewed change: the test fails on any difference and names the lines. To accept a change on
/// purpose, run the tests with <c>SWITCHBOARD_UPDATE_API=1</c> and commit the rewritten listing with the change.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Assemblies => ["Switchboard.Core", "Switchboard.Server", "Switchboard.Client"];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void ThePublicSurfaceMatchesItsReviewedListing(string assemblyName)
    {
        var actual = PublicApiListing.For(Assembly.Load(assemblyName));
        var path = Path.Combine(SourceDirectory(), assemblyName + ".txt");
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_UPDATE_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        File.Exists(path).ShouldBeTrue($"No reviewed listing at {path}; run the tests with SWITCHBOARD_UPDATE_API=1 to write it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        var added = Lines(actual).Except(Lines(expected)).ToList();
        var removed = Lines(expected).Except(Lines(actual)).ToList();
        (added.Count + removed.Count).ShouldBe(0,
            $"The public API of {assemblyName} changed. If that is intended, rerun with SWITCHBOARD_UPDATE_API=1 and commit {path}.\n" +
            string.Join("\n", added.Select(l => "+ " + l).Concat(removed.Select(l => "- " + l)).Take(40)));
    }

    [Fact]
    public void TheListingSeesTypesMembersAndDefaults()
    {
        var listing = PublicApiListing.For(typeof(SwitchboardOptions).Assembly);
        listing.ShouldContain("sealed class Switchboard.Options.SwitchboardOptions");
        listing.ShouldContain("  public Switchboard.Options.StreamOptions Stream { get; ");
        listing.ShouldNotContain("Switchboard.Live.LiveHub", customMessage: "internal types are not public surface");
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(file)!;
}
