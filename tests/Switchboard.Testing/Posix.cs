using System.Runtime.InteropServices;

namespace Switchboard.Testing;

/// <summary>The POSIX calls the tests need: sending a signal to a child they started, and letting it hear Ctrl+C.</summary>
public static partial class Posix
{
    public const int SigInt = 2;

    public const int SigTerm = 15;

    public const int SigKill = 9;

    public static void Kill(int pid, int signal)
    {
        if (NativeKill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Makes SIGINT reach the children started from now on when this process was started with it ignored, as everything
    /// started in the background from a non-interactive shell is (<c>.ci/run &amp;</c>, <c>nohup</c>). A child inherits
    /// an ignored SIGINT, and the .NET runtime then installs no handler for it, so a test's Ctrl+C would never arrive.
    /// A SIGINT this process handles itself is left as it is (a child gets the default then anyway).
    /// </summary>
    public static unsafe void HearInterruptsInChildren()
    {
        // struct sigaction (glibc, 64-bit): the handler comes first; the buffer is larger than the whole struct.
        var current = stackalloc nint[64];
        if (SigAction(SigInt, null, current) == 0 && current[0] == SigIgnore)
        {
            Signal(SigInt, SigDefault);
        }
    }

    private const nint SigDefault = 0;

    private const nint SigIgnore = 1;

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static unsafe partial int SigAction(int signal, nint* action, nint* previous);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
