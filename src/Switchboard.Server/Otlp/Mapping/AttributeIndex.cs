using System.Collections.Frozen;
using System.Text;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>An attribute key the mapping reads, with its slot in an <see cref="AttributeIndex"/> (<see cref="AttributeIndex.Key"/>).</summary>
internal readonly record struct AttributeKey(string Name, int Slot);

/// <summary>
/// The attributes the mapping reads (<see cref="TelemetryMap.AttributeKeys"/>), picked out of a record's, a resource's or
/// a scope's attributes in one pass, so that each lookup after it is a slot read: the mapping asks about a dozen keys per
/// record, and a scan per question would cost that many passes. One instance is reused for every record of a request, so
/// indexing allocates nothing. Only the first <c>max</c> attributes are read (<see cref="Switchboard.Server.Otlp.Options.OtlpOptions.MaxAttributesPerRecord"/>);
/// <see cref="Load"/> returns how many past them it ignored. Of two attributes with the same key, the first wins.
/// </summary>
internal sealed class AttributeIndex
{
    private static readonly FrozenDictionary<string, int> Slots = TelemetryMap.AttributeKeys()
        .Distinct(StringComparer.Ordinal)
        .Select((key, slot) => KeyValuePair.Create(key, slot))
        .ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> SlotsByText = Slots.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly int LongestKey = Slots.Keys.Max(Encoding.UTF8.GetByteCount);

    private readonly WireValue?[] _values = new WireValue?[Slots.Count];
    private readonly List<WireAttribute> _read = [];
    private bool _clear = true;
    private int _total;

    /// <summary>The attributes read (all of them, or the first <c>max</c>), in their order.</summary>
    public IReadOnlyList<WireAttribute> Read => _read;

    /// <summary>How many attributes were read: all of them, or the first <c>max</c>.</summary>
    public int Count => _read.Count;

    /// <summary>
    /// Indexes the attributes (fields <paramref name="field"/>) of <paramref name="message"/>, forgetting the ones before;
    /// returns how many past <paramref name="max"/> were ignored.
    /// </summary>
    public int Load(ProtoReader message, int field, int max)
    {
        Clear();
        return Add(message, field, max);
    }

    /// <summary>
    /// Indexes the attributes (fields <paramref name="field"/>) of the messages of field <paramref name="part"/> of
    /// <paramref name="owner"/> (a resource or a scope, which the protobuf decoder merges when it is sent in parts),
    /// forgetting the ones before; returns how many past <paramref name="max"/> were ignored.
    /// </summary>
    public int LoadParts(ProtoReader owner, int part, int field, int max)
    {
        Clear();
        var ignored = 0;
        foreach (var message in owner.Messages(part))
        {
            ignored = Add(message, field, max);
        }

        return ignored;
    }

    private void Clear()
    {
        if (!_clear)
        {
            Array.Clear(_values);
            _clear = true;
        }

        _read.Clear();
        _total = 0;
    }

    /// <summary>Indexes the attributes of one more message after those loaded; returns how many past <paramref name="max"/> were ignored so far.</summary>
    private int Add(ProtoReader message, int field, int max)
    {
        while (message.Next(out var number, out var wire))
        {
            if (number != field || wire != WireType.LengthDelimited)
            {
                message.Skip(wire, number, 0);
            }
            else if (_total++ < max)
            {
                var attribute = WireAttribute.Read(message.Message());
                _read.Add(attribute);
                if (attribute.Value is { } value && SlotOf(attribute.Key.Span) is { } slot && _values[slot] is null)
                {
                    _values[slot] = value;
                    _clear = false;
                }
            }
            else
            {
                message.Bytes();
            }
        }

        return _total - _read.Count;
    }

    /// <summary>The slot of a key given as UTF-8; null for a key the mapping does not read (the keys it reads are short).</summary>
    private static int? SlotOf(ReadOnlySpan<byte> key)
    {
        if (key.Length > LongestKey)
        {
            return null;
        }

        Span<char> text = stackalloc char[LongestKey];
        var length = Encoding.UTF8.GetChars(key, text);
        return SlotsByText.TryGetValue(text[..length], out var slot) ? slot : null;
    }

    /// <summary>
    /// The key <paramref name="name"/>, one of <see cref="TelemetryMap.AttributeKeys"/>, with its slot. Resolved once (into
    /// a static field) by whoever reads it on every record, so that a read is an array access.
    /// </summary>
    public static AttributeKey Key(string name) => Slots.TryGetValue(name, out var slot)
        ? new AttributeKey(name, slot)
        : throw new ArgumentException($"The mapping reads attribute '{name}', which TelemetryMap.AttributeKeys does not list.", nameof(name));

    /// <summary>The value of <paramref name="key"/>; null when absent.</summary>
    public WireValue? Find(AttributeKey key) => _values[key.Slot];

    public string? String(AttributeKey key) => Attributes.Text(Find(key));

    public long? Long(AttributeKey key) => Attributes.Integer(Find(key));

    public decimal? Decimal(AttributeKey key) => Attributes.Number(Find(key));

    /// <summary>The value of <paramref name="name"/>, resolving its key first (for keys read on some records only).</summary>
    public string? String(string name) => String(Key(name));

    public long? Long(string name) => Long(Key(name));

    public decimal? Decimal(string name) => Decimal(Key(name));
}
