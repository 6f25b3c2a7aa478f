using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// A node that crashed on a full disk must be able to take its data directory again (issue 30: it exited with
/// "No space left on device … switchboard.lock.holder.&lt;pid&gt;" and stayed down). Taking the lock writes no new file.
/// On a real, full tmpfs.
/// </summary>
public sealed class DataDirectoryLockFullDiskTests
{
    [Fact]
    public void TheLockIsTakenOnAFullDiskAndWritesNoNewFile()
    {
        using var fs = new SmallFilesystem();
        var data = Path.Combine(fs.Path, "data");
        using (var first = DataDirectoryLock.Acquire(data))
        {
            first.RecordAddress("http://127.0.0.1:5080");
        }

        var filler = fs.Fill();
        fs.HasSpace().ShouldBeFalse("the disk is full");
        var before = Directory.GetFiles(data).Order().ToArray();

        using (var again = DataDirectoryLock.Acquire(data))
        {
            again.RecordAddress("http://127.0.0.1:5081");
            Directory.GetFiles(data).Order().ToArray().ShouldBe(before, "no file was created to take the lock");
            Should.Throw<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(data), "it is still exclusive");
        }

        File.Delete(filler);
        using var freed = DataDirectoryLock.Acquire(data);
        freed.HolderUnwritten.ShouldBeNull("with space again the holder line is written");
        freed.RecordAddress("http://127.0.0.1:5082");
        File.ReadAllText(Path.Combine(data, DataDirectoryLock.HolderFileName)).Split('\n')[0].ShouldContain("serving http://127.0.0.1:5082");
    }

    [Fact]
    public void ALockFileThatCannotBeCreatedOnAFullDiskIsThatErrorNotAHolder()
    {
        using var fs = new SmallFilesystem();
        var data = Path.Combine(fs.Path, "data");
        Directory.CreateDirectory(data);
        fs.Fill();

        // tmpfs counts inodes apart from bytes, so an empty file may still be created: then the lock is simply taken.
        try
        {
            using var taken = DataDirectoryLock.Acquire(data);
            File.Exists(Path.Combine(data, DataDirectoryLock.LockFileName)).ShouldBeTrue();
        }
        catch (IOException ex)
        {
            ex.ShouldNotBeOfType<DataDirectoryInUseException>("nobody holds the directory: the disk is full");
        }
    }

    [Fact]
    public void AHolderLineRewrittenShorterInPlaceIsReadAsItsFirstLine()
    {
        using var data = new TempDirectory();
        using (var first = DataDirectoryLock.Acquire(data.Path))
        {
            first.RecordAddress("http://127.0.0.1:5080/with/a/much/longer/address/than/the/next/holder/uses");
        }

        using var holder = DataDirectoryLock.Acquire(data.Path);
        holder.RecordAddress("http://127.0.0.1:1");
        var refused = Should.Throw<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(data.Path));
        refused.Holder.ShouldNotBeNull();
        refused.Holder.ShouldContain("serving http://127.0.0.1:1,");
        refused.Holder.ShouldNotContain("longer");
    }
}
