using System.Text.Json.Serialization;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>What Claude Code asks, as its hooks send it: shared by the card's tests and its screenshots.</summary>
internal static class ApprovalExamples
{
    /// <summary><c>AskUserQuestion</c>'s input: a single choice and a multiple choice.</summary>
    public static readonly QuestionsInput Questions = new(
    [
        new("Which database should the cache use?", "Database",
            [new("PostgreSQL", "Shared by every node"), new("SQLite", "One file beside the server"), new("Both", "Behind a setting")], false),
        new("Which checks should run first?", "Checks",
            [new("Integration tests", null), new("Unit tests", null), new("Lint", null)], true),
    ]);

    /// <summary>A plan with HTML and a script link in it: all of it must read as text.</summary>
    public const string HostilePlan = """
        # Fix the cart <script>window.pwned = 1</script>

        The total is **not** updated in `cart.ts` <img src=x onerror="window.pwned = 2">.

        - Read the [docs](https://example.com/docs)
        - Change `cart.ts` to sum the quantities
        - Skip [click](javascript:window.pwned=3)
        """;

    /// <summary>A plan as a person reads it in the screenshots.</summary>
    public const string Plan = """
        # Make the cart total count quantities

        The cart shows the **number of lines**, not of items: `cart.ts` sums `items.length`.

        1. Sum `item.qty` in `cartTotal()` and keep the empty cart at `0`.
        2. Add a test with two lines of three items each.
        3. Run `npm test` and the checkout's end-to-end suite.

        ```ts
        const total = items.reduce((n, i) => n + i.qty, 0);
        ```
        """;
}

/// <summary>The tool input of Claude Code's <c>AskUserQuestion</c>, in its own field names.</summary>
internal sealed record QuestionsInput([property: JsonPropertyName("questions")] IReadOnlyList<Question> Questions);

internal sealed record Question(
    [property: JsonPropertyName("question")] string Text,
    [property: JsonPropertyName("header")] string Header,
    [property: JsonPropertyName("options")] IReadOnlyList<QuestionOption> Options,
    [property: JsonPropertyName("multiSelect")] bool MultiSelect);

internal sealed record QuestionOption(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("description")] string? Description);
