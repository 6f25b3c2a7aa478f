namespace Switchboard.LoadGen.Report;

/// <summary>A part of a Markdown file between two marker comments that a run rewrites, leaving the prose around it.</summary>
internal static class GeneratedSection
{
    /// <summary>
    /// Replaces what lies between <paramref name="begin"/> and <paramref name="end"/> in <paramref name="path"/> with
    /// <paramref name="content"/>; appends the markers first if the file (or the section) does not exist yet.
    /// </summary>
    public static void WriteInto(string path, string begin, string end, string content)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var from = existing.IndexOf(begin, StringComparison.Ordinal);
        var to = existing.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            existing = existing.TrimEnd() + "\n\n" + begin + "\n" + end + "\n";
            from = existing.IndexOf(begin, StringComparison.Ordinal);
            to = existing.IndexOf(end, StringComparison.Ordinal);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, existing[..(from + begin.Length)] + "\n" + content + existing[to..]);
    }
}
