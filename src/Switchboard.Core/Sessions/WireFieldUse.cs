namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>Where a field takes part.</summary>
[Flags]
internal enum WireFieldUse
{
    /// <summary>Stored only.</summary>
    None = 0,
    /// <summary>Written in the session object.</summary>
    Response = 1,
    /// <summary>In <c>session_updated</c>'s <c>changes</c> when it changed; a change to it is a visible change.</summary>
    Changes = 2,
    /// <summary>In every <c>changes</c> object, written last.</summary>
    Stamp = 4,
    /// <summary>Computed from other fields; never read back.</summary>
    Derived = 8,
    /// <summary>A usage counter: a change to only these is "usage only" (coalescible).</summary>
    Usage = 16,
    /// <summary>A create request may set it.</summary>
    Create = 32,
    /// <summary>An update request may set it.</summary>
    Update = 64,
    /// <summary>A usage request adds to it.</summary>
    AddUsage = 128,
    /// <summary>
    /// Set when the session is created and changed only by a tree move (an adoption, which stores write on their own):
    /// a store's row update leaves its column alone.
    /// </summary>
    Fixed = 256,
    /// <summary>
    /// No rule beyond its kind and limits (<see cref="WireField.Minimum"/>, <see cref="WireField.MaxLength"/>): the row is its
    /// only declaration. Switchboard.Generators generates, at build time, the typed property of the row's C# name on
    /// both sides' sessions and requests, its request reading, checks and application, its bindings, its store column
    /// and the client's request writing.
    /// </summary>
    Plain = 512,
}
