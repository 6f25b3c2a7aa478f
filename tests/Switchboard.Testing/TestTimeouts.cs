namespace Switchboard.Testing;

/// <summary>Every await in a test has a bound, so a hang fails fast instead of stalling CI.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The admission wait (<c>WriteWaitTimeout</c>) for a write a test means to be refused, set just before it; every
    /// write meant to be admitted waits <see cref="Long"/>, however long a loaded machine takes to schedule the pipeline.
    /// </summary>
    public static readonly TimeSpan RefusedWrite = TimeSpan.FromMilliseconds(300);

    /// <summary>Awaits with the default timeout.</summary>
    public static Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    /// <summary>Awaits with the default timeout.</summary>
    public static Task Within(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    /// <summary>Polls <paramref name="condition"/> until it holds or the timeout passes.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Default);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }

    public static Task Eventually(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually(() => Task.FromResult(condition()), what, timeout);
}
