namespace Switchboard.Cli;

/// <summary>A plain left-aligned text table (numbers right-aligned), sized to its content.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Columns whose values are right-aligned.</summary>
    public HashSet<int> RightAligned { get; } = [];

    public int Count => _rows.Count;

    /// <summary><paramref name="text"/> on one line, cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string OneLine(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length > max ? line[..max] + "…" : line;
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Format(headers, widths));
        foreach (var row in _rows)
        {
            output.WriteLine(Format(row, widths));
        }
    }

    private string Format(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => RightAligned.Contains(i) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
}
