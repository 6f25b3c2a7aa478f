using Microsoft.AspNetCore.Http;
using Switchboard.Core.Streams;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Streams;

/// <summary>The problem+json bodies of refused stream requests, with the protocol's status codes.</summary>
internal static class StreamProblems
{
    public static ProblemResult Invalid(string detail) => new(StatusCodes.Status400BadRequest, "invalid_stream_request", "Bad request", detail);

    public static ProblemResult NotFound(string path) =>
        new(StatusCodes.Status404NotFound, "stream_not_found", "Not found", $"No stream at '{path}'. Create it with PUT first.");

    public static ProblemResult Gone(string path) =>
        new(StatusCodes.Status410Gone, "stream_gone", "Gone",
            $"The stream at '{path}' was deleted (or expired); forks of it keep reading its data, but it takes no requests of its own.");

    public static ProblemResult TooLarge(long maxBytes)
    {
        return new(StatusCodes.Status413PayloadTooLarge, "append_too_large", "Payload too large",
            $"The body is larger than {maxBytes} bytes, the most one append may carry (Switchboard:Streams:MaxAppendBytes); split it into several appends.");
    }

    public static ProblemResult Busy() =>
        new(StatusCodes.Status503ServiceUnavailable, "too_many_live_reads", "Service unavailable",
            "This node already serves as many live stream reads as it allows (Switchboard:Streams:MaxLiveReaders); retry, or read with a plain catch-up request.")
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>The problem for a write outcome that was refused (its headers are set by the caller).</summary>
    public static ProblemResult For(StreamOutcome outcome, string path) => outcome.Status switch
    {
        StreamStatus.NotFound => new(StatusCodes.Status404NotFound, "stream_not_found", "Not found", outcome.Detail ?? $"No stream at '{path}'."),
        StreamStatus.Gone => Gone(path),
        StreamStatus.Conflict => new(StatusCodes.Status409Conflict, "stream_conflict", "Conflict", outcome.Detail ?? "The request conflicts with the stream."),
        StreamStatus.ClosedConflict => new(StatusCodes.Status409Conflict, "stream_closed", "Conflict", outcome.Detail ?? "The stream is closed."),
        StreamStatus.StaleEpoch => new(StatusCodes.Status403Forbidden, "producer_fenced", "Forbidden", outcome.Detail ?? "The producer's epoch is stale."),
        StreamStatus.SequenceGap => new(StatusCodes.Status409Conflict, "producer_sequence_gap", "Conflict", outcome.Detail ?? "Producer-Seq skipped ahead."),
        StreamStatus.TooManyStreams => new(StatusCodes.Status429TooManyRequests, "too_many_streams", "Too many streams", outcome.Detail ?? "Too many streams."),
        _ => Invalid(outcome.Detail ?? "The request is not valid for this stream."),
    };
}
