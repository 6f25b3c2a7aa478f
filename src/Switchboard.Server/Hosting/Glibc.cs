using System.Runtime.InteropServices;

namespace Switchboard.Server.Hosting;

/// <summary>The process's C library, where it is glibc on Linux: its functions that <see cref="NativeHeap"/> and <see cref="ProgramPages"/> call.</summary>
internal static class Glibc
{
    /// <summary>The glibc function <paramref name="name"/> as a delegate; null where the C library is not glibc or lacks it.</summary>
    public static T? Export<T>(string name)
        where T : Delegate =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, name, out var function)
            ? Marshal.GetDelegateForFunctionPointer<T>(function)
            : null;
}
