using System.Reflection;
using Switchboard.Server.Options;

namespace Switchboard.Server.Tests.PublicApi;

/// <summary>
/// The public surface of Core, Server, Client and the two store packages against the checked-in listings next to this file, so a change to what
/// callers can see is a reviewed change: the test fails on any difference and names the lines. To accept a change on
/// purpose, run the tests with <c>SWITCHBOARD_UPDATE_API=1</c> and commit the rewritten listing with the change.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Assemblies =>
        ["Switchboard.Core", "Switchboard.Server", "Switchboard.Client", "Switchboard.Storage.Sqlite", "Switchboard.Storage.Postgres"];

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
        listing.ShouldContain("sealed class Switchboard.Server.Options.SwitchboardOptions");
        listing.ShouldContain("  public Switchboard.Server.Options.SocketOptions Sockets { get; ");
        listing.ShouldNotContain("Switchboard.Server.Live.LiveHub", customMessage: "internal types are not public surface");
    }

    [Fact]
    public void TheListingRecordsNullability()
    {
        var listing = PublicApiListing.For([typeof(NullabilityFixture)]);
        const string Fixture = "Switchboard.Server.Tests.PublicApi.PublicApiTests.NullabilityFixture";
        listing.ShouldContain("  public System.String? Maybe { get; set; }");
        listing.ShouldContain("  public System.String Sure { get; set; }");
        listing.ShouldContain("  public System.Collections.Generic.IReadOnlyList<System.String?> Items { get; }");
        listing.ShouldContain("  public System.String?[]? Array { get; }");
        listing.ShouldContain("  public System.Int32? Count { get; }");
        listing.ShouldContain("  public System.Threading.Tasks.Task<System.String?> FindAsync(System.String key, System.String? fallback)");
        listing.ShouldContain("  public static readonly System.Collections.Generic.Dictionary<System.String, System.Object?>? Shared");
        listing.ShouldContain($"  public {Fixture}? Next {{ get; }}");

        // The same member with one "?" removed is a different line, so the reviewed-listing test above fails on it.
        listing.ShouldNotContain("  public System.String Maybe { get; set; }");
    }

    [Fact]
    public void TheListingOfARealMemberShowsItsNullability()
    {
        var listing = PublicApiListing.For(Assembly.Load("Switchboard.Client"));
        listing.ShouldContain("  public System.String? Id { get; init; }");
    }

    /// <summary>Members whose nullability the listing must show, one of each shape.</summary>
    public sealed class NullabilityFixture
    {
        public static readonly Dictionary<string, object?>? Shared = null;

        public string? Maybe { get; set; }

        public string Sure { get; set; } = "";

        public IReadOnlyList<string?> Items { get; } = [];

        public string?[]? Array { get; }

        public int? Count { get; }

        public NullabilityFixture? Next { get; }

        public Task<string?> FindAsync(string key, string? fallback) => Task.FromResult<string?>(fallback ?? key);
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(file)!;
}
