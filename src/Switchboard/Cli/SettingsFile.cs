using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Cli;

/// <summary>
/// An agent's settings file as <c>hooks install</c> and <c>hooks uninstall</c> change it. A symlink (a dotfile manager's)
/// is followed and the file it points to edited, so the link stays a link; the file's mode is kept (0600 stays 0600);
/// every change first keeps the file as it was beside the named path, in a backup never overwritten
/// (<c>settings.json.bak</c>, then <c>.bak.1</c>, <c>.bak.2</c> …); the new text replaces the old at once (a temporary
/// file in the target's directory renamed over it), so the agent never reads half a file.
/// </summary>
internal sealed class SettingsFile
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly byte[]? _original;

    public SettingsFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var link = new FileInfo(Path);
        Target = link.LinkTarget is null ? Path : link.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path;
        _original = File.Exists(Target) ? File.ReadAllBytes(Target) : null;
        if (_original is not null)
        {
            using var reader = new StreamReader(new MemoryStream(_original), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            Text = reader.ReadToEnd();
        }
    }

    /// <summary>The path as named (a backup is written beside it).</summary>
    public string Path { get; }

    /// <summary>The file written: <see cref="Path"/>, or where its symlinks end.</summary>
    public string Target { get; }

    /// <summary>The file's text as read, or null when there is none.</summary>
    public string? Text { get; }

    /// <summary>The file's JSON object (empty for no file or only whitespace); comments and trailing commas are read.</summary>
    public JsonObject Read() => Text is null || Text.Trim().Length == 0
        ? []
        : JsonNode.Parse(Text, documentOptions: Lenient) as JsonObject ?? throw new InvalidDataException("it is not a JSON object");

    /// <summary>Replaces the file's content with <paramref name="text"/>; returns the backup of what it was, or null when there was no file.</summary>
    public string? Replace(string text)
    {
        UnixFileMode? mode = null;
        if (_original is not null && !OperatingSystem.IsWindows())
        {
            mode = File.GetUnixFileMode(Target);
        }

        var backup = _original is null ? null : Backup(_original, mode);
        var directory = System.IO.Path.GetDirectoryName(Target)!;
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Target)}.switchboard-{Guid.NewGuid():N}.tmp");
        try
        {
            Write(temporary, new UTF8Encoding(false).GetBytes(text), mode);
            File.Move(temporary, Target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return backup;
    }

    private string Backup(byte[] original, UnixFileMode? mode)
    {
        for (var n = 0; ; n++)
        {
            var candidate = Path + (n == 0 ? ".bak" : $".bak.{n}");
            if (File.Exists(candidate))
            {
                continue;
            }

            try
            {
                Write(candidate, original, mode);
                return candidate;
            }
            catch (IOException) when (File.Exists(candidate))
            {
                // Written meanwhile by another run: a backup is never overwritten, take the next number.
            }
        }
    }

    /// <summary>Writes a new file, never an existing one, created with <paramref name="mode"/> (a copy of a 0600 file is never readable by others).</summary>
    private static void Write(string path, byte[] bytes, UnixFileMode? mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = m;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        if (mode is { } exact && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, exact); // the umask narrowed the create mode: the file's own bits, exactly
        }
    }
}
