namespace Switchboard.Core.Sessions;

/// <summary>Size limits of the session model. One place, so errors and docs agree.</summary>
internal static class SessionLimits
{
    /// <summary>Longest session id.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Longest session name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Most labels on one session.</summary>
    public const int MaxLabels = 32;

    /// <summary>Longest label key.</summary>
    public const int MaxLabelKeyLength = 64;

    /// <summary>Longest label value.</summary>
    public const int MaxLabelValueLength = 256;

    /// <summary>Largest metadata object, in UTF-8 bytes of its compact JSON.</summary>
    public const int MaxMetadataBytes = 16 * 1024;

    /// <summary>Longest error message.</summary>
    public const int MaxErrorMessageLength = 4096;

    /// <summary>Longest termination reason.</summary>
    public const int MaxReasonLength = 1024;

    /// <summary>The longest activity line a hook sets (a tool's name and a one-line summary of its input).</summary>
    public const int MaxActivityLength = 256;

    /// <summary>Longest lease: one day.</summary>
    public const int MaxLeaseSeconds = 86_400;

    /// <summary>Largest cost accepted in one value.</summary>
    public const decimal MaxCostUsd = 1_000_000_000m;
}
