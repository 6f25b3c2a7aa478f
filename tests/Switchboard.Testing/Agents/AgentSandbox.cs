namespace Switchboard.Testing.Agents;

/// <summary>
/// The folders one agent run owns: a HOME of its own (the agent's settings, state and transcripts go there, never to
/// the machine's) and a working directory (the project the agent works in). Under a <see cref="TempDirectory"/>.
/// </summary>
public sealed class AgentSandbox : IDisposable
{
    private readonly TempDirectory _root;

    public AgentSandbox(string name)
    {
        _root = new TempDirectory("switchboard-" + name);
        Home = Directory.CreateDirectory(Path.Combine(_root.Path, "home")).FullName;
        WorkDirectory = Directory.CreateDirectory(Path.Combine(_root.Path, "work")).FullName;
    }

    public string Home { get; }

    public string WorkDirectory { get; }

    /// <summary>A path in the working directory (where the agent's tools create files).</summary>
    public string WorkFile(string name) => Path.Combine(WorkDirectory, name);

    public void Dispose() => _root.Dispose();
}
