using System.Runtime.InteropServices;

namespace Switchboard.Testing;

/// <summary>The one POSIX call the tests need: sending a signal to a child they started.</summary>
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

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
