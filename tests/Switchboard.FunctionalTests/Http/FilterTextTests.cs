using Microsoft.Extensions.Logging;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// Label filters holding text no label can hold (NUL, which PostgreSQL cannot even compare, or a value longer than a
/// label's) are 400s that say so, on every store, before any query: never a 503 that makes the store look down.
/// </summary>
public sealed class FilterTextTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ALabelFilterWithTextNoLabelCanHoldIs400OnEveryStore(string store)
    {
        await using var server = await EitherStore.StartAsync(postgres, store, o => o.Usage.GroupBy.Add("team"));
        await server.Http.CreateAsync("red-1", new { labels = new { team = "red" } });

        (string Path, string Field, string Detail)[] cases =
        [
            ("/api/sessions?label=team=%00", "label", "a NUL character (U+0000) at character 1"),
            ("/api/sessions?label=env=prod&label=team=re%00d", "label", "a NUL character (U+0000) at character 3"),
            ($"/api/sessions?label=team={new string('r', 257)}", "label", "a label's value is at most 256"),
            ("/api/usage?group_by=label:team&labels=team=red,team=%00", "labels", "a NUL character (U+0000)"),
            ("/api/stream?topics=sessions&label=team=%00", "label", "a NUL character (U+0000)"),
        ];
        foreach (var (path, field, detail) in cases)
        {
            var answer = await server.Http.GetJsonAsync(path);
            answer.ShouldBeProblem(400, field);
            answer.Body.Str("detail").ShouldContain(detail, Case.Sensitive, path);
        }

        var listed = await server.Http.GetJsonAsync("/api/sessions?label=team=red");
        listed.Status.ShouldBe(200, listed.Body.ToString());
        Security.ScopedKeys.Ids(listed.Body).ShouldBe(["red-1"], "the store answers as before");
        server.Logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning);
    }
}
