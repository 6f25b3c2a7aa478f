namespace Switchboard.Server.Responses;

/// <summary>Thrown while reading a request that cannot be accepted; carries the problem to send.</summary>
internal sealed class RequestException(ProblemResult problem) : Exception(problem.Detail)
{
    public ProblemResult Problem { get; } = problem;

    public static RequestException Field(string field, string detail) =>
        new(new ProblemResult(400, "invalid_field", "Invalid request", detail, field));
}
