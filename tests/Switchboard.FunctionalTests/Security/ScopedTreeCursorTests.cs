using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// A key scoped by labels paging another team's part of its tree: every page holds only its sessions, paging always ends,
/// and no cursor carries what the key may not see (a hidden session's id, or the seq it was created at).
/// </summary>
public sealed class ScopedTreeCursorTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task PagingARedTreeWithBlueDescendantsListsExactlyRedsAndNoCursorCarriesBlue(string store)
    {
        await using var server = await EitherStore.StartAsync(postgres, store, o => o.Security.AddApiKeys(ScopedKeys.KeyList));
        using var admin = server.HttpWithKey(ScopedKeys.AdminKey);
        using var red = server.HttpWithKey(ScopedKeys.RedKey);
        // red-root ─┬ blue-b1 ─┬ blue-b2        (tree order: by id under each parent)
        //           │          └ red-r1
        //           ├ blue-b3
        //           └ red-r2
        var redLabels = new { team = "red" };
        var blueLabels = new { team = "blue" };
        await admin.CreateAsync("red-root", new { labels = redLabels });
        await admin.CreateAsync("blue-b1", new { parent_id = "red-root", labels = blueLabels });
        await admin.CreateAsync("blue-b2", new { parent_id = "blue-b1", labels = blueLabels });
        await admin.CreateAsync("red-r1", new { parent_id = "blue-b1", labels = redLabels });
        await admin.CreateAsync("blue-b3", new { parent_id = "red-root", labels = blueLabels });
        await admin.CreateAsync("red-r2", new { parent_id = "red-root", labels = redLabels });
        var blueIds = new[] { "blue-b1", "blue-b2", "blue-b3" };
        var blueSeqs = (await admin.EventsAsync()).Where(e => e.Str("type") == "session_created" && blueIds.Contains(e.Str("session_id")))
            .Select(e => e.GetProperty("seq").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        blueSeqs.Count.ShouldBe(3);

        var (tree, treeCursors) = await PageAsync(red, "/api/sessions/red-root/tree?limit=1");
        tree.ShouldBe(["red-root", "red-r1", "red-r2"]);
        var (children, childCursors) = await PageAsync(red, "/api/sessions/red-root/children?limit=1");
        children.ShouldBe(["red-r2"]);
        foreach (var cursor in treeCursors.Concat(childCursors))
        {
            Revealed(cursor).ShouldNotContain("blue", Case.Insensitive, $"cursor '{cursor}' reads as '{Revealed(cursor)}'");
            blueSeqs.ShouldNotContain(cursor, "a children cursor that is a blue child's creation seq says where it is");
        }

        // Nor can a client make one up: a cursor is sealed by the server.
        var madeUp = Convert.ToBase64String(Encoding.UTF8.GetBytes("red-root blue-b1")).TrimEnd('=');
        (await red.GetJsonAsync("/api/sessions/red-root/tree?cursor=" + madeUp)).ShouldBeProblem(400, "cursor");
        (await red.GetJsonAsync("/api/sessions/red-root/children?cursor=" + blueSeqs[0])).ShouldBeProblem(400, "cursor");

        (await PageAsync(admin, "/api/sessions/red-root/tree?limit=1")).Ids.ShouldBe(
            ["red-root", "blue-b1", "blue-b2", "red-r1", "blue-b3", "red-r2"], "an unscoped key pages the whole tree");

        // A subtree join's snapshot ends with a cursor too, which the tree read goes on from.
        await using var socket = await PhoenixClient.ConnectAsync(server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + ScopedKeys.RedKey));
        var join = await socket.JoinAsync("session:red-root", new { subtree = true, limit = 2 });
        join.Status.ShouldBe("ok", join.Raw);
        join.Response.GetProperty("descendants").EnumerateArray().Select(s => s.Str("id")).ShouldBeEmpty("the two read, blue-b1 and blue-b2, are hidden");
        var next = join.Response.Str("next_cursor");
        Revealed(next).ShouldNotContain("blue", Case.Insensitive);
        (await PageAsync(red, "/api/sessions/red-root/tree?limit=1", next)).Ids.ShouldBe(["red-r1", "red-r2"]);
    }

    /// <summary>Pages <paramref name="first"/> to its end (from <paramref name="cursor"/>): the ids listed and every cursor given, with a bound on the pages.</summary>
    private static async Task<(List<string> Ids, List<string> Cursors)> PageAsync(HttpClient http, string first, string? cursor = null)
    {
        var ids = new List<string>();
        var cursors = new List<string>();
        var path = cursor is null ? first : first + "&cursor=" + Uri.EscapeDataString(cursor);
        for (var page = 0; page < 20; page++)
        {
            var (status, body, _) = await http.GetJsonAsync(path);
            status.ShouldBe(200, body.ToString());
            ids.AddRange(ScopedKeys.Ids(body));
            if (body.GetProperty("next_cursor").GetString() is not { } next)
            {
                return (ids, cursors);
            }

            cursors.Add(next);
            path = first + "&cursor=" + Uri.EscapeDataString(next);
        }

        throw new ShouldAssertException($"paging {first} did not end after 20 pages: {string.Join(", ", ids)}");
    }

    /// <summary>What a client can read from a cursor: its text, and its base64 (either alphabet) decoded.</summary>
    private static string Revealed(string cursor)
    {
        var text = cursor.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            return cursor + " " + Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return cursor;
        }
    }
}
