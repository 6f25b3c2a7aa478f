using System.Globalization;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>
/// <c>switchboard sessions --tree [ID]</c>: each root (or the one session named) with its whole subtree, indented, every
/// node with its state, its own tokens and cost, and the totals of its subtree. Read from <c>GET /api/sessions/{id}/tree</c>.
/// </summary>
internal static class SessionTree
{
    public static async Task<int> RunAsync(SwitchboardClient client, string? only, SessionQuery roots, int limit, CancellationToken cancellationToken)
    {
        var table = new TextTable("TREE", "STATE", "NAME", "TOKENS", "COST", "SUBTREE", "SUBTREE TOKENS", "SUBTREE COST");
        table.RightAligned.UnionWith([3, 4, 6, 7]);
        var more = false;
        var trees = 0;
        if (only is not null)
        {
            // A session that does not exist is the server's 404, reported as every refusal is.
            more = await AddTreeAsync(client, only, table, limit, cancellationToken);
            trees = 1;
        }
        else
        {
            await foreach (var root in client.ListAllSessionsAsync(roots with { Roots = true }, cancellationToken))
            {
                if (table.Count >= limit)
                {
                    more = true;
                    break;
                }

                trees++;
                more = await AddTreeAsync(client, root.Id, table, limit, cancellationToken);
            }
        }

        var output = Console.Out;
        if (table.Count == 0)
        {
            await output.WriteLineAsync("No sessions match.");
            return 0;
        }

        table.WriteTo(output);
        await output.WriteLineAsync($"{table.Count} sessions in {trees} tree{(trees == 1 ? "" : "s")}{(more ? " (more follow; raise --limit)" : "")}.");
        return 0;
    }

    /// <summary>Adds the subtree of <paramref name="id"/> to the table; true when the limit cut it short.</summary>
    private static async Task<bool> AddTreeAsync(SwitchboardClient client, string id, TextTable table, int limit, CancellationToken cancellationToken)
    {
        // Tree order puts each parent right before its subtree, so one pass with a stack of open levels draws it; whether a
        // node is the last of its siblings needs the siblings, so the whole subtree (up to the limit) is read first.
        var nodes = new List<Session>();
        await foreach (var s in client.ListSubtreeAsync(id, cancellationToken))
        {
            if (table.Count + nodes.Count >= limit)
            {
                Draw(nodes, table);
                return true;
            }

            nodes.Add(s);
        }

        Draw(nodes, table);
        return false;
    }

    private static void Draw(List<Session> nodes, TextTable table)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        var lastChild = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in nodes.Skip(1).GroupBy(n => n.ParentId ?? ""))
        {
            lastChild.Add(group.Last().Id);
        }

        var top = nodes[0].Depth;
        var open = new List<bool>(); // per level below the top: whether that level still has siblings to come
        foreach (var n in nodes)
        {
            var level = n.Depth - top;
            var prefix = "";
            if (level > 0)
            {
                while (open.Count >= level)
                {
                    open.RemoveAt(open.Count - 1);
                }

                prefix = string.Concat(open.Select(o => o ? "│  " : "   ")) + (lastChild.Contains(n.Id) ? "└─ " : "├─ ");
                open.Add(!lastChild.Contains(n.Id));
            }

            var t = n.Subtree;
            table.Add(prefix + n.Id, n.StateName, Clip(n.Name ?? "", 30), Tokens(n.TotalTokens), Cost(n.CostUsd),
                $"{t.Active}/{t.Sessions} active", Tokens(t.TotalTokens), Cost(t.CostUsd));
        }
    }

    private static string Tokens(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Cost(decimal c) => "$" + c.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
