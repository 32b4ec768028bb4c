namespace MeshProxy.Tls;

/// <summary>
/// The protocols of a ClientHello's ALPN extension (RFC 7301), in the client's order of preference, as a view over
/// the wire-format ProtocolNameList (each name prefixed by its 1-byte length). Enumerating allocates nothing:
/// <c>foreach (ReadOnlySpan&lt;byte&gt; protocol in hello.ApplicationProtocols)</c>.
/// </summary>
public readonly ref struct AlpnProtocolList
{
    private readonly ReadOnlySpan<byte> _list;

    /// <summary>Wraps a ProtocolNameList that the parser has validated: every name is 1 to 255 bytes and fits.</summary>
    internal AlpnProtocolList(ReadOnlySpan<byte> list) => _list = list;

    /// <summary>True when the client sent no ALPN extension (or none of it was kept).</summary>
    public bool IsEmpty => _list.IsEmpty;

    /// <summary>The number of protocols.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var _ in this)
            {
                count++;
            }
            return count;
        }
    }

    /// <summary>Whether the client offers <paramref name="protocol"/> (exact, case-sensitive bytes, as RFC 7301 compares).</summary>
    public bool Contains(ReadOnlySpan<byte> protocol)
    {
        foreach (var offered in this)
        {
            if (offered.SequenceEqual(protocol))
            {
                return true;
            }
        }
        return false;
    }

    public Enumerator GetEnumerator() => new(_list);

    /// <summary>Walks the length-prefixed names.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal Enumerator(ReadOnlySpan<byte> list) => _rest = list;

        public ReadOnlySpan<byte> Current { get; private set; }

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }
            var length = _rest[0];
            Current = _rest.Slice(1, length);
            _rest = _rest[(1 + length)..];
            return true;
        }
    }
}
