namespace Switchboard.Testing.Agents;

/// <summary>The command hook the agents without HTTP hooks run: <c>curl</c> posts the event JSON (stdin) and prints the answer.</summary>
public static class HookCommand
{
    /// <summary>
    /// <c>curl -s --data-binary @- -H 'Content-Type: application/json' URL</c>: the answer's body is the hook's output.
    /// A refused connection makes curl exit 7 with no output, which every agent treats as a failed, non-blocking hook.
    /// Not <c>-S</c>: Gemini CLI reads a hook's stderr when stdout is empty, and plain text with an exit code other than
    /// 0 or 1 is a deny there, so curl's error message would block the tool.
    /// </summary>
    /// <param name="keyEnv">
    /// The environment variable that holds an API key: sent as <c>Authorization: Bearer $NAME</c>, expanded by the shell
    /// that runs the hook, so the settings file names the variable and never holds the key.
    /// </param>
    public static string Curl(Uri url, string? keyEnv = null) => keyEnv is null
        ? $"curl -s --data-binary @- -H 'Content-Type: application/json' '{url}'"
        : $"curl -s --data-binary @- -H 'Content-Type: application/json' -H \"Authorization: Bearer ${{{keyEnv}}}\" '{url}'";
}
