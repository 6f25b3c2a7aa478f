using System.Globalization;
using Microsoft.Extensions.Options;
using Switchboard.Core.Hosting;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Approvals.Options;
using Switchboard.Server.Commands.Options;
using Switchboard.Server.Hooks.Options;
using Switchboard.Server.Otlp.Options;
using Switchboard.Server.Security;
using Switchboard.Server.Streams.Options;
using Switchboard.Server.Webhooks.Options;

namespace Switchboard.Server.Options.Validation;

/// <summary>
/// <see cref="SwitchboardOptions"/> as a whole: its own settings, then each section through that section's validator.
/// Runs at start (<c>ValidateOnStart</c>) and whenever the options are read, so no part of the server sees a value out of range.
/// </summary>
internal sealed class SwitchboardOptionsValidator : IValidateOptions<SwitchboardOptions>
{
    public const string Section = "Switchboard";

    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        if (name == Switchboard.Server.Security.ApiKeyReload.OptionsName)
        {
            // A reload's keys are checked by ApiKeyRing.TryReplace, which refuses them with a warning instead of throwing.
            return ValidateOptionsResult.Skip;
        }

        var problems = new OptionProblems(Section);
        problems.NotNegative(nameof(options.ShutdownDrainDelay), options.ShutdownDrainDelay);
        if (options.PublicUrl is { } url && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment) && string.IsNullOrEmpty(url.UserInfo)))
        {
            problems.Add(nameof(options.PublicUrl), url, "it must be the absolute http(s) URL people reach this server at, with no query, fragment or credentials, such as https://switchboard.example.com/");
        }
        problems.Merge(new SocketOptionsValidator().Validate(name, options.Sockets));
        problems.Merge(new HttpApiOptionsValidator().Validate(name, options.Http));
        problems.Merge(new SecurityOptionsValidator().Validate(name, options.Security));
        problems.Merge(new RetentionOptionsValidator().Validate(name, options.Retention));
        problems.Merge(new UsageSettingsValidator().Validate(name, options.Usage));
        problems.Merge(new AlertOptionsValidator().Validate(name, options.Alerts));
        problems.Merge(new WebhookOptionsValidator().Validate(name, options.Webhooks));
        problems.Merge(new OtlpOptionsValidator().Validate(name, options.Otlp));
        problems.Merge(new HooksOptionsValidator().Validate(name, options.Hooks));
        problems.Merge(new CommandOptionsValidator().Validate(name, options.Commands));
        problems.Merge(new ApprovalOptionsValidator().Validate(name, options.Approvals));
        problems.Merge(SlackOptionsValidator.Validate(options.Slack, options.PublicUrl));
        problems.Merge(new SessionOptionsValidator().Validate(name, options.Sessions));
        problems.Merge(new DurableStreamOptionsValidator().Validate(name, options.Streams));
        BodyBudget(problems, options);
        return problems.Result;
    }

    /// <summary>The node's body budget holds at least one body at the largest of the routes' limits, as its buffer grows.</summary>
    private static void BodyBudget(OptionProblems problems, SwitchboardOptions o)
    {
        var (key, largest) = new[]
        {
            ("Switchboard:Http:MaxBodyBytes", o.Http.MaxBodyBytes), ("Switchboard:Hooks:MaxBodyBytes", o.Hooks.MaxBodyBytes),
            ("Switchboard:Otlp:MaxBodyBytes", o.Otlp.MaxBodyBytes), ("Switchboard:Streams:MaxAppendBytes", o.Streams.MaxAppendBytes),
        }.MaxBy(limit => limit.Item2);
        var peak = Switchboard.Server.Http.BodyBuffer.PeakBytes(largest);
        if (o.Http.MaxInFlightBodyBytes < peak)
        {
            problems.Add("Http:MaxInFlightBodyBytes", o.Http.MaxInFlightBodyBytes,
                $"it must be at least {peak.ToString("N0", CultureInfo.InvariantCulture)}, what one body at {key} = {largest.ToString("N0", CultureInfo.InvariantCulture)} holds as its buffer grows");
        }
    }
}

/// <summary><c>Switchboard:Sockets</c>.</summary>
internal sealed class SocketOptionsValidator : IValidateOptions<SocketOptions>
{
    public ValidateOptionsResult Validate(string? name, SocketOptions o)
    {
        var p = new OptionProblems("Switchboard:Sockets");
        p.Positive(nameof(o.HeartbeatTimeout), o.HeartbeatTimeout);
        p.Positive(nameof(o.HandshakeTimeout), o.HandshakeTimeout);
        p.AtLeast(nameof(o.MaxConnections), o.MaxConnections, 1);
        p.AtLeast(nameof(o.MaxFrameBytes), o.MaxFrameBytes, 1024);
        p.AtLeast(nameof(o.MaxChannelsPerConnection), o.MaxChannelsPerConnection, 1);
        p.AtLeast(nameof(o.SendQueueMaxFrames), o.SendQueueMaxFrames, 1);
        p.AtLeast(nameof(o.SendQueueMaxBytes), o.SendQueueMaxBytes, 1);
        p.AtLeast(nameof(o.MaxReplayEvents), o.MaxReplayEvents, 0);
        p.InRange(nameof(o.SnapshotSessions), o.SnapshotSessions, 0, SwitchboardDefaults.MaxSnapshotSessions);
        p.NotNegative(nameof(o.SummaryCoalesceWindow), o.SummaryCoalesceWindow);
        p.Positive(nameof(o.SummaryInterval), o.SummaryInterval);
        p.Positive(nameof(o.LongPollWindow), o.LongPollWindow);
        p.Positive(nameof(o.SseHeartbeatInterval), o.SseHeartbeatInterval);
        if (!(o.MaxMessagesPerSecond > 0) || double.IsInfinity(o.MaxMessagesPerSecond))
        {
            p.Add(nameof(o.MaxMessagesPerSecond), o.MaxMessagesPerSecond, "it must be a positive number");
        }

        p.AtLeast(nameof(o.MessageBurst), o.MessageBurst, 1);
        p.Positive(nameof(o.MaxFanoutLag), o.MaxFanoutLag);
        p.NotNegative(nameof(o.FanoutAnswerWait), o.FanoutAnswerWait);
        p.AtLeast(nameof(o.MaxPendingEvents), o.MaxPendingEvents, 1);
        p.AtLeast(nameof(o.MaxQueuedRequests), o.MaxQueuedRequests, 1);
        p.Positive(nameof(o.WriteWaitTimeout), o.WriteWaitTimeout);
        p.AtLeast(nameof(o.MaxSnapshotBytes), o.MaxSnapshotBytes, 1024);
        return p.Result;
    }
}

/// <summary><c>Switchboard:Http</c>.</summary>
internal sealed class HttpApiOptionsValidator : IValidateOptions<HttpApiOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpApiOptions o)
    {
        var p = new OptionProblems("Switchboard:Http");
        p.AtLeast(nameof(o.MaxBodyBytes), o.MaxBodyBytes, 1);
        p.AtLeast(nameof(o.MaxBatchOperations), o.MaxBatchOperations, 1);
        p.AtLeast(nameof(o.MaxPageSize), o.MaxPageSize, 1);
        p.InRange(nameof(o.DefaultPageSize), o.DefaultPageSize, 1, Math.Max(1, o.MaxPageSize));
        if (o.WriteRateLimit < 0)
        {
            p.Add(nameof(o.WriteRateLimit), o.WriteRateLimit, "it must be 0 (no limit) or more");
        }

        p.Positive(nameof(o.WriteRateWindow), o.WriteRateWindow);
        return p.Result;
    }
}

/// <summary><c>Switchboard:Security</c>. Keys and secrets are never echoed: their lines say which one and why.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions o)
    {
        var p = new OptionProblems("Switchboard:Security");
        foreach (var problem in ApiKeyRing.Validate(o))
        {
            p.AddLine("Switchboard:Security:ApiKeys: " + problem);
        }

        foreach (var problem in CallerNames.Validate(o.TrustedProxy))
        {
            p.AddLine("Switchboard:Security:TrustedProxy: " + problem);
        }

        if (o.TokenSigningKey is { Length: > 0 and < SwitchboardDefaults.MinTokenSecretLength })
        {
            p.AddLine($"Switchboard:Security:TokenSigningKey: the token signing secret is shorter than {SwitchboardDefaults.MinTokenSecretLength} characters; use e.g. `openssl rand -base64 32`.");
        }

        p.Positive(nameof(o.TokenLifetime), o.TokenLifetime);
        if (o.TokenMaxLifetime < o.TokenLifetime)
        {
            p.Add(nameof(o.TokenMaxLifetime), o.TokenMaxLifetime, $"it must be at least TokenLifetime ({o.TokenLifetime:c})");
        }

        return p.Result;
    }
}

/// <summary><c>Switchboard:Retention</c>.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions o)
    {
        var p = new OptionProblems("Switchboard:Retention");
        p.Positive(nameof(o.MaxAge), o.MaxAge);
        p.AtLeast(nameof(o.MaxEvents), o.MaxEvents, 1);
        p.Positive(nameof(o.PurgeInterval), o.PurgeInterval);
        return p.Result;
    }
}

/// <summary><c>Switchboard:Usage</c>.</summary>
internal sealed class UsageSettingsValidator : IValidateOptions<UsageSettings>
{
    public ValidateOptionsResult Validate(string? name, UsageSettings o)
    {
        var p = new OptionProblems("Switchboard:Usage");
        p.Positive(nameof(o.MinuteRetention), o.MinuteRetention);
        p.Positive(nameof(o.HourRetention), o.HourRetention);
        p.Positive(nameof(o.DayRetention), o.DayRetention);
        p.AtLeast(nameof(o.MaxPoints), o.MaxPoints, 1);
        for (var i = 0; i < o.GroupBy.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(o.GroupBy[i]))
            {
                p.Add($"GroupBy:{i}", o.GroupBy[i], "it must be a label key");
            }
        }

        return p.Result;
    }
}

/// <summary><c>Switchboard:Alerts</c>; each rule's own fields are checked where rules are parsed (they name the rule).</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions o)
    {
        var p = new OptionProblems("Switchboard:Alerts");
        p.Positive(nameof(o.RuleRefreshInterval), o.RuleRefreshInterval);
        p.AtLeast(nameof(o.MaxPendingEvents), o.MaxPendingEvents, 1);
        return p.Result;
    }
}

/// <summary><c>Switchboard:Webhooks</c>.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions o)
    {
        var p = new OptionProblems("Switchboard:Webhooks");
        p.AtLeast(nameof(o.MaxEndpoints), o.MaxEndpoints, 1);
        p.AtLeast(nameof(o.MaxAttempts), o.MaxAttempts, 1);
        p.Positive(nameof(o.InitialBackoff), o.InitialBackoff);
        if (o.MaxBackoff < o.InitialBackoff)
        {
            p.Add(nameof(o.MaxBackoff), o.MaxBackoff, $"it must be at least InitialBackoff ({o.InitialBackoff:c})");
        }

        p.Positive(nameof(o.RequestTimeout), o.RequestTimeout);
        p.Positive(nameof(o.LeaseDuration), o.LeaseDuration);
        p.Positive(nameof(o.PollInterval), o.PollInterval);
        return p.Result;
    }
}

/// <summary><c>Switchboard:Otlp</c>.</summary>
internal sealed class OtlpOptionsValidator : IValidateOptions<OtlpOptions>
{
    public ValidateOptionsResult Validate(string? name, OtlpOptions o)
    {
        var p = new OptionProblems("Switchboard:Otlp");
        p.Positive(nameof(o.IdleAfter), o.IdleAfter);
        if (o.EndAfter <= o.IdleAfter)
        {
            p.Add(nameof(o.EndAfter), o.EndAfter, $"it must be longer than IdleAfter ({o.IdleAfter:c})");
        }

        p.AtLeast(nameof(o.MaxBodyBytes), o.MaxBodyBytes, 1024);
        p.AtLeast(nameof(o.MaxRecordsPerRequest), o.MaxRecordsPerRequest, 1);
        p.AtLeast(nameof(o.MaxAttributesPerRecord), o.MaxAttributesPerRecord, 1);
        p.AtLeast(nameof(o.MaxConcurrentRequests), o.MaxConcurrentRequests, 1);
        return p.Result;
    }
}

/// <summary><c>Switchboard:Hooks</c>.</summary>
internal sealed class HooksOptionsValidator : IValidateOptions<HooksOptions>
{
    public ValidateOptionsResult Validate(string? name, HooksOptions o)
    {
        var p = new OptionProblems("Switchboard:Hooks");
        p.AtLeast(nameof(o.MaxBodyBytes), o.MaxBodyBytes, 1024);
        if (o.EndGrace < TimeSpan.Zero || o.EndGrace > TimeSpan.FromMinutes(10))
        {
            p.Add(nameof(o.EndGrace), o.EndGrace, "it must be from 0 to 10 minutes");
        }

        if (o.ApprovalWait <= TimeSpan.Zero || o.ApprovalWait > TimeSpan.FromMinutes(9))
        {
            p.Add(nameof(o.ApprovalWait), o.ApprovalWait, "it must be a positive duration of at most 9 minutes, below the agents' 10-minute hook timeout");
        }

        if (!Enum.IsDefined(o.Activity))
        {
            p.Add(nameof(o.Activity), o.Activity, "it must be none, tool or summary");
        }

        if (!Enum.IsDefined(o.ApprovalExpired))
        {
            p.Add(nameof(o.ApprovalExpired), o.ApprovalExpired, "it must be none (the agent follows its own rules) or deny");
        }

        if (o.ApprovalTools.FirstOrDefault(t => string.IsNullOrWhiteSpace(t) || t.Length > Switchboard.Core.Approvals.ApprovalLimits.MaxToolLength) is { } bad)
        {
            p.Add(nameof(o.ApprovalTools), bad, $"each tool name must be 1-{Switchboard.Core.Approvals.ApprovalLimits.MaxToolLength} characters, as the agent names the tool (Bash, run_shell_command)");
        }

        return p.Result;
    }
}

/// <summary><c>Switchboard:Commands</c>.</summary>
internal sealed class CommandOptionsValidator : IValidateOptions<CommandOptions>
{
    public ValidateOptionsResult Validate(string? name, CommandOptions o)
    {
        var p = new OptionProblems("Switchboard:Commands");
        p.AtLeast(nameof(o.MaxWaiters), o.MaxWaiters, 1);
        p.InRange(nameof(o.MaxWaitSeconds), o.MaxWaitSeconds, 1, 300);
        p.InRange(nameof(o.MaxOutstandingPerSession), o.MaxOutstandingPerSession, 1, SwitchboardDefaults.CommandMaxOutstandingLimit);
        var expiry = TimeSpan.FromSeconds(Switchboard.Core.Commands.CommandLimits.DefaultExpirySeconds);
        if (o.RedeliverAfter <= TimeSpan.Zero || o.RedeliverAfter >= expiry)
        {
            // Past the expiry a delivered command would expire before it could be handed over again.
            p.Add(nameof(o.RedeliverAfter), o.RedeliverAfter,
                $"it must be a positive duration shorter than a command's default expiry ({expiry:c}), such as 00:00:30 (hh:mm:ss)");
        }

        return p.Result;
    }
}

/// <summary><c>Switchboard:Approvals</c>.</summary>
internal sealed class ApprovalOptionsValidator : IValidateOptions<ApprovalOptions>
{
    public ValidateOptionsResult Validate(string? name, ApprovalOptions o)
    {
        var p = new OptionProblems("Switchboard:Approvals");
        p.InRange(nameof(o.MaxPendingPerSession), o.MaxPendingPerSession, 1, SwitchboardDefaults.ApprovalMaxPendingLimit);
        HoldRules(p, nameof(o.Hold), o.Hold);
        HoldRules(p, nameof(o.Skip), o.Skip);
        return p.Result;
    }

    /// <summary>Each rule in Claude Code's permission-rule syntax (<see cref="Switchboard.Server.Hooks.HoldRule"/>), a line per bad one naming its index.</summary>
    private static void HoldRules(OptionProblems p, string key, List<string> rules)
    {
        if (rules.Count > Switchboard.Server.Hooks.HoldRule.MaxRules)
        {
            p.AddLine($"Switchboard:Approvals:{key} has {rules.Count} rules; at most {Switchboard.Server.Hooks.HoldRule.MaxRules} are allowed: use '*' to name many calls in one.");
        }

        for (var i = 0; i < rules.Count; i++)
        {
            if (Switchboard.Server.Hooks.HoldRule.Parse(rules[i], out var problem) is null)
            {
                p.Add($"{key}:{i}", rules[i], problem!);
            }
        }
    }
}

/// <summary><c>Switchboard:Streams</c>.</summary>
internal sealed class DurableStreamOptionsValidator : IValidateOptions<DurableStreamOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableStreamOptions o)
    {
        var p = new OptionProblems("Switchboard:Streams");
        p.InRange(nameof(o.MaxAppendBytes), o.MaxAppendBytes, 1024, 64L * 1024 * 1024);
        if (o.LongPollTimeout < TimeSpan.FromMilliseconds(100) || o.LongPollTimeout > TimeSpan.FromMinutes(5))
        {
            p.Add(nameof(o.LongPollTimeout), o.LongPollTimeout, "it must be between 00:00:00.1 and 00:05:00");
        }

        if (o.SseReconnectAfter < TimeSpan.FromSeconds(1) || o.SseReconnectAfter > TimeSpan.FromHours(1))
        {
            p.Add(nameof(o.SseReconnectAfter), o.SseReconnectAfter, "it must be between 00:00:01 and 01:00:00");
        }

        p.AtLeast(nameof(o.MaxStreamsPerKey), o.MaxStreamsPerKey, 1);
        p.AtLeast(nameof(o.MaxStreamsPerSession), o.MaxStreamsPerSession, 1);
        p.AtLeast(nameof(o.MaxLiveReaders), o.MaxLiveReaders, 1);
        p.Positive(nameof(o.SweepInterval), o.SweepInterval);
        p.Positive(nameof(o.RetainAfterEnd), o.RetainAfterEnd);
        return p.Result;
    }
}
