using System.Runtime.InteropServices;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The process's native heap, where the C library is glibc: how many arenas it keeps, and giving free pages back.
/// <para>
/// glibc gives each thread that allocates its own arena, up to eight per core, and returns memory to the system only
/// from the top of an arena. SQLite drops and rebuilds a reader's page cache at every read that follows a commit, on
/// whichever pool thread runs the read, so under steady load each of those arenas holds its own high-water mark of
/// freed pages, and the RSS creeps up for as long as bursts keep landing on new threads, though none of that memory is
/// live. The executable caps the arenas at start (<see cref="LimitArenas"/>) and trims every few seconds
/// (<see cref="HeapTrim"/>); see docs/benchmarks.md, "Soak", for what each did to the RSS.
/// </para>
/// <para>
/// Where the C library is not glibc (musl, macOS, Windows) there is nothing to call: <see cref="IsGlibc"/> is false and
/// both calls do nothing.
/// </para>
/// </summary>
internal static class NativeHeap
{
    /// <summary>
    /// Arenas the process may use. Allocations up to about a kilobyte come from each thread's own cache without taking
    /// an arena's lock, so two arenas cost no contention that matters for this server's native allocations (SQLite's).
    /// </summary>
    public const int MaxArenas = 2;

    private const int ArenaMaxOption = -8; // M_ARENA_MAX

    private static readonly (MallocTrim Trim, MallOpt MallOpt)? Functions =
        Glibc.Export<MallocTrim>("malloc_trim") is { } trim && Glibc.Export<MallOpt>("mallopt") is { } mallopt ? (trim, mallopt) : null;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallocTrim(nuint pad);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallOpt(int option, int value);

    /// <summary>Whether the process's C library is glibc, whose heap these calls tune.</summary>
    public static bool IsGlibc => Functions is not null;

    /// <summary>Whether <see cref="LimitArenas"/> capped the arenas in this process.</summary>
    public static bool ArenasLimited { get; private set; }

    /// <summary>
    /// Caps the arenas at <see cref="MaxArenas"/>. Call first thing in <c>Main</c>: threads that already allocated keep
    /// the arenas they have; those that first allocate later share the capped set. <see cref="ArenasLimited"/> says
    /// whether glibc took it.
    /// </summary>
    public static void LimitArenas() => ArenasLimited = Functions is { } glibc && glibc.MallOpt(ArenaMaxOption, MaxArenas) == 1;

    /// <summary>Gives every arena's whole free pages back to the system. Returns whether any memory went back.</summary>
    public static bool Trim() => Functions is { } glibc && glibc.Trim(0) != 0;
}
