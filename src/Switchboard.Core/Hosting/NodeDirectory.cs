namespace Switchboard.Core.Hosting;

/// <summary>
/// The directory holding this node's own files (the generated token-signing secret); with the SQLite store, its data
/// directory. Registered by the store or by <c>UseNodeDirectory</c>; <c>./data</c> when neither names one.
/// </summary>
/// <param name="Path">A full path.</param>
internal sealed record NodeDirectory(string Path)
{
    /// <summary>The directory used when nothing names one: <c>./data</c> of the working directory.</summary>
    public static NodeDirectory Default => new(System.IO.Path.GetFullPath(SwitchboardDefaults.DataDirectory));
}
