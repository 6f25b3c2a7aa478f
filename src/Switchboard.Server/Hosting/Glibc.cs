using System.Runtime.InteropServices;

namespace Switchboard.Server.Hosting;

/// <summary>The process's C library, where it is glibc on Linux: its functions that <see cref="NativeHeap"/> and <see cref="ProgramPages"/> call.</summary>
internal static class Glibc
{
    /// <summary>The library's handle, loaded once (0 where it is not there).</summary>
    private static readonly nint Library = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) ? libc : 0;

    /// <summary>The glibc function <paramref name="name"/> as a delegate; null where the C library is not glibc or lacks it.</summary>
    public static T? Export<T>(string name)
        where T : Delegate =>
        Library != 0 && NativeLibrary.TryGetExport(Library, name, out var function)
            ? Marshal.GetDelegateForFunctionPointer<T>(function)
            : null;
}
