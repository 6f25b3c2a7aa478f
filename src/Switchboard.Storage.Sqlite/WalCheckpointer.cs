using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Switchboard.Core.Hosting;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// Checkpoints the WAL beside the writer instead of inside its commits. SQLite's automatic checkpoint runs in the commit
/// that takes the WAL past 1,000 pages: that commit copies the WAL into the database file and fsyncs both before it
/// returns, so several times a second under load one group commit, and every write queued behind it, waited for two
/// fsyncs. Here the writer's WAL hook only asks (<see cref="Committed"/>), and one supervised loop checkpoints on a
/// connection of its own, <c>PASSIVE</c>: it never waits for, or blocks, the writer or a reader.
/// <para>
/// The loop is asked once the WAL holds <see cref="Pages"/>, and again for each further <see cref="Pages"/> written
/// until the WAL starts again, so it syncs as often as SQLite's own would. SQLite starts the WAL again from its beginning
/// at the first write after a checkpoint that copied all of it; a checkpoint that ends between two commits does. Under
/// saturating writes one seldom does, so the WAL could keep growing: at <see cref="InlinePages"/> the writer
/// checkpoints in its commit, as SQLite's own would, which copies only what the loop has not, and the WAL starts again.
/// The loop and the hook belong to this class; the writer's thread runs the hook.
/// </para>
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>WAL pages that ask the loop for a checkpoint: SQLite's default for its automatic one.</summary>
    public const int Pages = 1000;

    /// <summary>
    /// WAL pages at which the writer checkpoints in its commit: about 40 MiB of 4 KiB pages, so at a few thousand pages a
    /// second one commit in several seconds pays it (at 4,000 pages the hooks' delivery p99 was half again as long).
    /// </summary>
    public const int InlinePages = 10 * Pages;

    private const int Passive = 0; // SQLITE_CHECKPOINT_PASSIVE

    // Never disposed: it holds no wait handle, and a release after a dispose would throw inside SQLite's callback.
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly SqliteConnection _connection;
    private readonly SupervisedLoop _loop;
    private GCHandle _self;
    private int _pending; // 1 while a request waits for the loop
    private long _passes;
    private long _restarts;

    // The hook's own, on the writer (one commit at a time, under the store's write lock).
    private int _seen; // the WAL's pages at the last commit
    private int _askedAt; // and when the loop was last asked

    private WalCheckpointer(SqliteConnection connection, TimeProvider time, BackgroundLoops? loops, Action<LoopFailure> failed)
    {
        _connection = connection;
        _loop = new SupervisedLoop("sqlite-checkpoint", RunAsync, time, loops: loops, onFailure: failed);
    }

    /// <summary>Checkpoints the loop has run.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Times the WAL started again from its beginning after a checkpoint had copied all of it.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>
    /// Takes over <paramref name="writer"/>'s checkpoints (its automatic one is replaced by the hook) with a connection of
    /// its own on <paramref name="connectionString"/>, synchronous as <paramref name="synchronous"/> (the writer's pragma).
    /// </summary>
    public static WalCheckpointer Start(SqliteConnection writer, string connectionString, string synchronous, TimeProvider time,
        BackgroundLoops? loops, Action<LoopFailure> failed)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        PersistentWal.Enable(connection);
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = synchronous;
            pragma.ExecuteNonQuery();
        }

        var checkpointer = new WalCheckpointer(connection, time, loops, failed);
        checkpointer._self = GCHandle.Alloc(checkpointer);
        Install(writer.Handle!, GCHandle.ToIntPtr(checkpointer._self));
        checkpointer._loop.Start();
        return checkpointer;
    }

    /// <summary>Stops the loop and closes its connection; call after the writer is closed (the hook points here until then).</summary>
    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync();
        await _connection.DisposeAsync();
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _requested.WaitAsync(cancellationToken);
            Volatile.Write(ref _pending, 0);
            var rc = raw.sqlite3_wal_checkpoint_v2(_connection.Handle, "main", Passive, out _, out _);
            if (rc == raw.SQLITE_BUSY)
            {
                continue; // the writer's own checkpoint is running; the next commit asks again
            }

            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
            Interlocked.Increment(ref _passes);
        }
    }

    /// <summary>After each commit on the writer, on its thread, with the WAL's size in pages. Must not throw.</summary>
    private void Committed(IntPtr db, IntPtr name, int pages)
    {
        if (pages < _seen)
        {
            _askedAt = 0; // the WAL started again from its beginning
            Interlocked.Increment(ref _restarts);
        }

        _seen = pages;
        if (pages >= InlinePages)
        {
            // SQLITE_BUSY while the loop is in a checkpoint: the next commit tries again.
            CheckpointInline(db, name, Passive, out _, out _);
        }
        else if (pages - _askedAt >= Pages)
        {
            _askedAt = pages;
            if (Interlocked.Exchange(ref _pending, 1) == 0)
            {
                _requested.Release();
            }
        }
    }

    private static unsafe void Install(sqlite3 writer, IntPtr context) => WalHook(writer, &OnWalCommit, context);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnWalCommit(IntPtr context, IntPtr db, IntPtr name, int pages)
    {
        ((WalCheckpointer)GCHandle.FromIntPtr(context).Target!).Committed(db, name, pages);
        return 0; // SQLITE_OK: anything else would fail the statement whose commit already happened
    }

    // The same native library Microsoft.Data.Sqlite runs on (SQLitePCLRaw's e_sqlite3), which has no binding for the hook.
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_wal_hook", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern unsafe IntPtr WalHook(sqlite3 db, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, int, int> callback, IntPtr context);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_wal_checkpoint_v2", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int CheckpointInline(IntPtr db, IntPtr name, int mode, out int log, out int checkpointed);
}
