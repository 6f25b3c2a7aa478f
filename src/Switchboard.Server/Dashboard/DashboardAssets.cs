using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace Switchboard.Server.Dashboard;

/// <summary>One dashboard file: its bytes, a gzip copy when that is smaller, and a content hash for ETags.</summary>
internal sealed record DashboardAsset(string Path, string ContentType, byte[] Content, byte[]? Gzip, string ETag);

/// <summary>
/// The dashboard's files, read once from the assembly's embedded resources (logical names <c>dashboard/…</c>).
/// Nothing is read from disk, so the dashboard works the same in the executable and when embedded.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly Lazy<DashboardAssets> Shared = new(() => new DashboardAssets(typeof(DashboardAssets).Assembly));

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8", // the vendored phoenix.js, kept under its npm name
        [".md"] = "text/markdown; charset=utf-8", // the vendored licence
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    private DashboardAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            // MSBuild's RecursiveDir uses the OS separator; URLs use '/'.
            var logical = name.Replace('\\', '/');
            if (!logical.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var path = logical[ResourcePrefix.Length..];
            assets[path] = Create(path, copy.ToArray());
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static DashboardAssets Instance => Shared.Value;

    public int Count => _assets.Count;

    public DashboardAsset? Find(string path) => _assets.GetValueOrDefault(path);

    private static DashboardAsset Create(string path, byte[] content)
    {
        var type = ContentTypes.GetValueOrDefault(System.IO.Path.GetExtension(path), "application/octet-stream");
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
        byte[]? gzip = null;
        if (!type.StartsWith("image/png", StringComparison.Ordinal))
        {
            using var compressed = new MemoryStream();
            using (var z = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                z.Write(content);
            }

            gzip = compressed.Length < content.Length ? compressed.ToArray() : null;
        }

        return new DashboardAsset(path, type, content, gzip, etag);
    }
}
