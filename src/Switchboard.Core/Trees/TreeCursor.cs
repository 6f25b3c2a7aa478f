using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Trees;

/// <summary>
/// The <c>next_cursor</c> of tree pages: a subtree's (the last node's tree path) and a children list's (the last child's
/// creation seq). A cursor stands for the last row a page read, which for a label-scoped caller may be a session it may
/// not see: its page holds only the sessions in its scope, but reads at most <c>limit</c> rows, so that every request
/// costs what its limit says however many rows are hidden. So with auth on a cursor is sealed (AES-GCM under a key
/// derived from the token secret, which the nodes of a cluster share): a client can neither read nor forge it. With auth
/// off no caller's view is scoped, and a cursor is the plain text it stands for.
/// </summary>
internal sealed class TreeCursor
{
    private const byte SubtreeKind = (byte)'p';
    private const byte ChildrenKind = (byte)'c';
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private static readonly byte[] KeyPurpose = "switchboard tree cursor v1"u8.ToArray();

    private readonly Lazy<byte[]?> _key;

    /// <param name="secret">The token secret, read on first use (it is loaded at start-up); null when auth is off.</param>
    public TreeCursor(Func<byte[]?> secret) =>
        _key = new(() => secret() is { } s ? HKDF.DeriveKey(HashAlgorithmName.SHA256, s, 32, salt: [], info: KeyPurpose) : null);

    /// <summary>Cursors with auth off: plain, as nobody's view is scoped.</summary>
    public static TreeCursor Plain { get; } = new(() => null);

    /// <summary>The cursor of a subtree page that ends at <paramref name="path"/>.</summary>
    public string Subtree(string path) => _key.Value is { } key ? Seal(key, SubtreeKind, path)
        : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(path));

    /// <summary>The tree path a subtree cursor stands for; null when it is not one this server (or cluster) wrote.</summary>
    public string? SubtreePath(string cursor)
    {
        var path = _key.Value is { } key ? Open(key, SubtreeKind, cursor) : Decode(cursor);
        return path is not null && path.Split(TreePath.Separator).All(SessionId.IsValid) ? path : null;
    }

    /// <summary>The cursor of a children page that ends at the child created at <paramref name="createdSeq"/>.</summary>
    public string Children(long createdSeq)
    {
        var text = createdSeq.ToString(CultureInfo.InvariantCulture);
        return _key.Value is { } key ? Seal(key, ChildrenKind, text) : text;
    }

    /// <summary>The creation seq a children cursor stands for; null when it is not one this server (or cluster) wrote.</summary>
    public long? ChildrenSeq(string cursor) =>
        (_key.Value is { } key ? Open(key, ChildrenKind, cursor) : cursor) is { } text
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;

    private static string Seal(byte[] key, byte kind, string text)
    {
        var plain = new byte[1 + Encoding.UTF8.GetByteCount(text)];
        plain[0] = kind;
        Encoding.UTF8.GetBytes(text, plain.AsSpan(1));
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length));
        return Base64Url.EncodeToString(sealedBytes);
    }

    private static string? Open(byte[] key, byte kind, string cursor)
    {
        // A cursor is at most a tree path's length and a little, well under the 16 KiB a request head may hold.
        if (cursor.Length > 4 * 1024 || !Base64Url.IsValid(cursor, out var length) || length < NonceBytes + 1 + TagBytes)
        {
            return null;
        }

        var sealedBytes = Base64Url.DecodeFromChars(cursor);
        var plain = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null; // not sealed with this key: made up, altered, or from before the secret changed
        }

        return plain[0] == kind ? Encoding.UTF8.GetString(plain.AsSpan(1)) : null;
    }

    private static string? Decode(string cursor) =>
        cursor.Length <= 4 * 1024 && Base64Url.IsValid(cursor) ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)) : null;
}
