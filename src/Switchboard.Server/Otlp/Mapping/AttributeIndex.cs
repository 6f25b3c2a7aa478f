using System.Collections.Frozen;
using Google.Protobuf.Collections;
using Switchboard.Otlp.Proto.Common;

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

    private readonly AnyValue?[] _values = new AnyValue?[Slots.Count];
    private bool _clear = true;

    /// <summary>The attributes last loaded (null: none); the first <see cref="Count"/> of them were read.</summary>
    public IReadOnlyList<KeyValue>? Source { get; private set; }

    /// <summary>How many attributes were read: all of them, or the first <c>max</c>.</summary>
    public int Count { get; private set; }

    /// <summary>Indexes <paramref name="attributes"/> (forgetting the ones before); returns how many past <paramref name="max"/> were ignored.</summary>
    public int Load(RepeatedField<KeyValue>? attributes, int max)
    {
        if (!_clear)
        {
            Array.Clear(_values);
            _clear = true;
        }

        Source = attributes;
        var total = attributes?.Count ?? 0;
        Count = Math.Min(total, max);
        for (var i = 0; i < Count; i++)
        {
            var kv = attributes![i];
            if (kv.Value is { } value && Slots.TryGetValue(kv.Key, out var slot) && _values[slot] is null)
            {
                _values[slot] = value;
                _clear = false;
            }
        }

        return total - Count;
    }

    /// <summary>
    /// The key <paramref name="name"/>, one of <see cref="TelemetryMap.AttributeKeys"/>, with its slot. Resolved once (into
    /// a static field) by whoever reads it on every record, so that a read is an array access.
    /// </summary>
    public static AttributeKey Key(string name) => Slots.TryGetValue(name, out var slot)
        ? new AttributeKey(name, slot)
        : throw new ArgumentException($"The mapping reads attribute '{name}', which TelemetryMap.AttributeKeys does not list.", nameof(name));

    /// <summary>The value of <paramref name="key"/>; null when absent.</summary>
    public AnyValue? Find(AttributeKey key) => _values[key.Slot];

    public string? String(AttributeKey key) => Attributes.Text(Find(key));

    public long? Long(AttributeKey key) => Attributes.Integer(Find(key));

    public decimal? Decimal(AttributeKey key) => Attributes.Number(Find(key));

    /// <summary>The value of <paramref name="name"/>, resolving its key first (for keys read on some records only).</summary>
    public string? String(string name) => String(Key(name));

    public long? Long(string name) => Long(Key(name));

    public decimal? Decimal(string name) => Decimal(Key(name));
}
