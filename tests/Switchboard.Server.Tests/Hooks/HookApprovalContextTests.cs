using System.Text;
using System.Text.Json;
using Switchboard.Core.Approvals;
using Switchboard.Server.Hooks;

namespace Switchboard.Server.Tests.Hooks;

/// <summary>
/// What a held hook's approval keeps (docs/approvals.md, "The whole context"): the input bounded by cutting its longest
/// strings, a plan cut on a character, an agent's invalid text mended, and the suggestions' labels and scopes.
/// </summary>
public sealed class HookApprovalContextTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void AnInputThatFitsIsKeptWholeAndALargerOneHasOnlyItsLongestStringsCut()
    {
        ApprovalInput.Bound(Json("""{"command":"npm test","n":1}"""), out var cut).ShouldBe("""{"command":"npm test","n":1}""");
        cut.ShouldBeFalse();

        var input = Json($$"""{"old":"{{new string('o', 300)}}","new":"{{new string('n', 900)}}","path":"/a.txt"}""");
        var kept = ApprovalInput.Bound(input, out cut, maxBytes: 1000).ShouldNotBeNull();
        cut.ShouldBeTrue();
        Encoding.UTF8.GetByteCount(kept).ShouldBeLessThanOrEqualTo(1000);
        var read = Json(kept);
        read.GetProperty("old").GetString().ShouldBe(new string('o', 300), "shorter than the cap: kept whole");
        read.GetProperty("path").GetString().ShouldBe("/a.txt");
        var cutNew = read.GetProperty("new").GetString()!;
        cutNew.ShouldEndWith("…");
        Encoding.UTF8.GetByteCount(kept).ShouldBeGreaterThan(1000 - 4, "the longest that fits: one character more would not");

        ApprovalInput.Bound(Json($$"""{"{{new string('k', 2000)}}":1}"""), out cut, maxBytes: 1000).ShouldBeNull("names alone do not fit");
        cut.ShouldBeTrue();
    }

    [Fact]
    public void APlanIsCutWithinItsBytesOnACharacter()
    {
        var plan = string.Concat(Enumerable.Repeat("é😀", 100)); // 2 + 4 bytes per pair
        var kept = ApprovalInput.Clip(plan, out var cut, maxBytes: 100);
        cut.ShouldBeTrue();
        kept.ShouldEndWith("…");
        Encoding.UTF8.GetByteCount(kept).ShouldBeLessThanOrEqualTo(100);
        char.IsHighSurrogate(kept[^2]).ShouldBeFalse("never half an emoji");
        plan.ShouldStartWith(kept[..^1]);
    }

    [Fact]
    public void AnAgentsInvalidTextIsMendedBeforeItIsKept()
    {
        var input = JsonDocument.Parse(Encoding.UTF8.GetBytes("""{"command":"echo \ud83d","ok":"\ud83d\ude00"}""")).RootElement;
        var mended = HookInput.Mend(input);
        mended.GetProperty("command").GetString().ShouldBe("echo \uFFFD");
        mended.GetProperty("ok").GetString().ShouldBe("😀");
        ApprovalInput.Bound(mended, out _).ShouldBe("{\"command\":\"echo \uFFFD\",\"ok\":\"😀\"}");
    }

    [Fact]
    public void SuggestionsGetALabelAndAScopeAndUnknownDestinationsAreLeftOut()
    {
        var offered = Json("""
            [{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"npm test"},{"toolName":"Read"}],"behavior":"allow","destination":"session"},
             {"type":"addDirectories","directories":["/srv/data"],"destination":"userSettings"},
             {"type":"setMode","mode":"acceptEdits","destination":"projectSettings"},
             {"type":"addRules","rules":[],"behavior":"allow","destination":"somewhereElse"}]
            """);
        var suggestions = PermissionSuggestions.Read(offered);
        suggestions.Select(s => (s.Scope, s.Label)).ShouldBe([
            ("session", "Allow Bash(npm test), Read for this session"),
            ("user", "Allow access to /srv/data always, in every project (~/.claude/settings.json)"),
            ("project", "Accept every edit always in this project, for everyone (.claude/settings.json)"),
        ]);
        suggestions[0].Permission.ShouldBe(Switchboard.Core.Json.CompactJson.Write(offered[0]), "the agent's object, verbatim");
    }
}
