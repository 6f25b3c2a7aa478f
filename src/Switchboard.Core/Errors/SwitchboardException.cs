namespace Switchboard.Core.Errors;

/// <summary>Thrown by the in-process API when a write is refused; carries the same error HTTP would return.</summary>
public sealed class SwitchboardException(SwitchboardError error) : Exception(error.Detail)
{
    /// <summary>The refusal.</summary>
    public SwitchboardError Error { get; } = error;
}
