using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Writes;

internal static partial class SessionTransitions
{
    /// <summary>
    /// Telemetry about one session: created on first sight, usage added, labels merged, and the state of the latest
    /// observation that says one, unless the session accepts commands (its hooks or its producer own its state). A terminated session takes no more telemetry (it is dropped, not refused).
    /// <para>
    /// Usage is counted from one source per session: the first that brings it usage (events or metrics) is recorded in
    /// <see cref="Session.UsageFrom"/>, which no request can change, and usage from the other is left out from then on
    /// (its records still say activity). A session that continues an ended one keeps the ended one's source.
    /// </para>
    /// </summary>
    private static WriteDecision Telemetry(ApplyTelemetry t, Session? current, in WriteContext ctx)
    {
        if (t.Observations.Count == 0 || current?.State == SessionState.Terminated)
        {
            return WriteDecision.Unchanged(current);
        }

        var from = UsageFrom(current, t);
        long input = 0, output = 0;
        decimal cost = 0;
        var last = t.Observations[0];
        foreach (var o in t.Observations)
        {
            if (o.Usage != UsageSource.None && o.Usage == from)
            {
                try
                {
                    input = checked(input + o.InputTokens);
                    output = checked(output + o.OutputTokens);
                }
                catch (OverflowException)
                {
                    return WriteDecision.Refuse(SwitchboardError.InvalidField("input_tokens", "The telemetry's usage overflows 64-bit token counters."));
                }

                cost += o.CostUsd;
            }

            if (o.At >= last.At)
            {
                last = o;
            }
        }

        var state = last.Signal switch
        {
            TelemetrySignal.Idle => SessionState.Idle,
            TelemetrySignal.Error => SessionState.Error,
            TelemetrySignal.End => SessionState.Terminated,
            _ => SessionState.Working,
        };
        var error = last.Signal == TelemetrySignal.Error ? last.ErrorMessage ?? "error" : null;
        var wanted = t.Labels;
        var usageFrom = from switch { UsageSource.Metrics => "metrics", UsageSource.Events => "events", _ => null };
        if (current is null)
        {
            // A session whose parent's span came in the same request starts under it, if the tree rules let it (else as a
            // root); the adoption appended for it then finds it placed.
            var parent = ctx.Parent is { State: not SessionState.Terminated } p && p.Depth < t.MaxTreeDepth && TreePath.Fits(p, t.SessionId) ? p : null;
            return Create(new CreateSession
            {
                ParentId = parent?.Id,
                MaxTreeDepth = t.MaxTreeDepth,
                Id = t.SessionId,
                Name = t.Name,
                State = state == SessionState.Terminated ? SessionState.Idle : state,
                Labels = wanted,
                ErrorMessage = error,
                InputTokens = input,
                OutputTokens = output,
                CostUsd = cost,
                AcceptsCommands = false, // an exporter reads no answers: nothing could deliver a command to it
                Continues = t.Continues,
                UsageFrom = usageFrom,
            }, null, ctx with { Parent = parent });
        }

        if (current.AcceptsCommands || !SessionStateMachine.IsAllowed(current.State, state))
        {
            // A session whose producer reads answers (its hooks, an SDK) says its own state: telemetry adds usage only.
            state = current.State;
        }

        var labels = current.Labels;
        if (wanted.Any(kv => !current.Labels.TryGetValue(kv.Key, out var v) || v != kv.Value))
        {
            var merged = new Dictionary<string, string>(current.Labels, StringComparer.Ordinal);
            foreach (var (k, v) in wanted)
            {
                if (merged.Count < SessionLimits.MaxLabels || merged.ContainsKey(k))
                {
                    merged[k] = v;
                }
            }

            labels = merged;
        }

        long totalIn, totalOut;
        try
        {
            totalIn = checked(current.InputTokens + input);
            totalOut = checked(current.OutputTokens + output);
            _ = checked(totalIn + totalOut);
        }
        catch (OverflowException)
        {
            return WriteDecision.Refuse(SwitchboardError.InvalidField("input_tokens", "The telemetry's usage overflows the session's 64-bit token counters."));
        }

        var next = current with
        {
            State = state,
            Name = current.Name ?? t.Name,
            Labels = labels,
            ErrorMessage = state == SessionState.Error ? error ?? current.ErrorMessage : null,
            InputTokens = totalIn,
            OutputTokens = totalOut,
            CostUsd = current.CostUsd + cost,
            UsageFrom = usageFrom ?? current.UsageFrom,
        };
        return state == SessionState.Terminated ? Finish(current, next, "ended", ctx) : Changed(current, next, reason: null, ctx);
    }

    /// <summary>
    /// The session's usage source: the one recorded (on the session, or for a new one on the session it continues), else
    /// the source of the earliest observation that carries usage. Never a label: a label is any writer's to set.
    /// </summary>
    private static UsageSource UsageFrom(Session? current, ApplyTelemetry t)
    {
        var observations = t.Observations;
        if ((current is null ? t.UsageFrom : current.UsageFrom) is { } recorded)
        {
            return recorded == "metrics" ? UsageSource.Metrics : UsageSource.Events;
        }

        var from = UsageSource.None;
        var at = DateTimeOffset.MaxValue;
        foreach (var o in observations)
        {
            if (o.Usage != UsageSource.None && o.At < at)
            {
                (from, at) = (o.Usage, o.At);
            }
        }

        return from;
    }
}
