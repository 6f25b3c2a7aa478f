namespace Switchboard.Client;

/// <summary>Usage to add to a session (every value zero or more).</summary>
/// <param name="InputTokens">Input tokens to add.</param>
/// <param name="OutputTokens">Output tokens to add.</param>
/// <param name="CostUsd">Cost to add, in US dollars.</param>
public readonly record struct Usage(long InputTokens = 0, long OutputTokens = 0, decimal CostUsd = 0)
{
    /// <summary>True when nothing would be added.</summary>
    public bool IsZero => InputTokens == 0 && OutputTokens == 0 && CostUsd == 0;

    /// <summary>Adds two increments.</summary>
    public static Usage operator +(Usage a, Usage b) =>
        new(checked(a.InputTokens + b.InputTokens), checked(a.OutputTokens + b.OutputTokens), a.CostUsd + b.CostUsd);

    /// <summary>Adds two increments.</summary>
    public static Usage Add(Usage a, Usage b) => a + b;
}
