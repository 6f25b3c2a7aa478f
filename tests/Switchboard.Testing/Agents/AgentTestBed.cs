namespace Switchboard.Testing.Agents;

/// <summary>What every agent test starts: a sandbox (HOME and working directory), a fake model API and a hook recorder.</summary>
public sealed class AgentTestBed : IAsyncDisposable
{
    private AgentTestBed(AgentSandbox sandbox, FakeModelApi api, HookRecorder hooks)
    {
        Sandbox = sandbox;
        Api = api;
        Hooks = hooks;
    }

    public AgentSandbox Sandbox { get; }

    public FakeModelApi Api { get; }

    public HookRecorder Hooks { get; }

    public static async Task<AgentTestBed> StartAsync(string name)
    {
        var sandbox = new AgentSandbox(name);
        return new AgentTestBed(sandbox, await FakeModelApi.StartAsync(), await HookRecorder.StartAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Hooks.DisposeAsync();
        Sandbox.Dispose();
    }
}
