using Switchboard.Testing;

namespace Switchboard.FunctionalTests.MultiNode;

/// <summary>Two real <c>switchboard</c> processes on one PostgreSQL database, each with an HTTP client; all stopped on dispose.</summary>
internal sealed class NodePair : IAsyncDisposable
{
    private readonly TempDirectory _dataA = new();
    private readonly TempDirectory _dataB = new();

    private NodePair()
    {
    }

    public ServerProcess A { get; private set; } = null!;

    public ServerProcess B { get; private set; } = null!;

    public HttpClient HttpA { get; private set; } = null!;

    public HttpClient HttpB { get; private set; } = null!;

    /// <summary>Starts both nodes at once, with <paramref name="environment"/> added to both; B is configured through SWITCHBOARD_* variables when <paramref name="bViaEnvironment"/>.</summary>
    public static async Task<NodePair> StartAsync(string connectionString, bool bViaEnvironment = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var pair = new NodePair();
        var a = Nodes.StartAsync(pair._dataA, connectionString, environment: environment);
        var b = Nodes.StartAsync(pair._dataB, connectionString, bViaEnvironment, environment);
        try
        {
            await Task.WhenAll(a, b);
        }
        catch
        {
            // Whichever started must not outlive the test.
            foreach (var started in new[] { a, b }.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            pair.DeleteData();
            throw;
        }

        (pair.A, pair.B) = (a.Result, b.Result);
        (pair.HttpA, pair.HttpB) = (Nodes.Http(pair.A), Nodes.Http(pair.B));
        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        HttpA.Dispose();
        HttpB.Dispose();
        await A.DisposeAsync();
        await B.DisposeAsync();
        DeleteData();
    }

    private void DeleteData()
    {
        _dataA.Dispose();
        _dataB.Dispose();
    }
}
