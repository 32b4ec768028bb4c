namespace MeshProxy.Tls;

/// <summary>
/// How much the ClientHello parser accepts before it answers <see cref="NotTlsReason.TooLarge"/>. These bound the bytes
/// a connection may make us buffer and re-scan before it is routed. <c>default</c> means the defaults.
/// </summary>
public readonly struct ClientHelloLimits
{
    /// <summary>
    /// Default of <see cref="MaxMessageLength"/>: 16 KiB, as current Envoy's tls_inspector
    /// (<c>TLS_MAX_CLIENT_HELLO = SSL3_RT_MAX_PLAIN_LENGTH</c>). Post-quantum key shares make hellos about 1.8 KiB.
    /// </summary>
    public const int DefaultMaxMessageLength = 16 * 1024;

    /// <summary>
    /// Default of <see cref="MaxRecords"/>: 16. Clients put a ClientHello in one record unless it exceeds 2^14 bytes;
    /// 16 still allows odd fragmenting middleboxes while capping the record headers scanned per parse.
    /// </summary>
    public const int DefaultMaxRecords = 16;

    /// <summary>The largest handshake length field (uint24) there is.</summary>
    public const int MaxMessageLengthCeiling = (1 << 24) - 1;

    private readonly int _maxMessageLength;
    private readonly int _maxRecords;

    /// <summary>The default limits.</summary>
    public static ClientHelloLimits Default => default;

    /// <summary>
    /// The largest ClientHello body accepted, in bytes: the handshake message's length field, which excludes its
    /// 4-byte header and the record headers. 1 to 16,777,215; default <see cref="DefaultMaxMessageLength"/>.
    /// </summary>
    public int MaxMessageLength
    {
        get => _maxMessageLength == 0 ? DefaultMaxMessageLength : _maxMessageLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxMessageLengthCeiling);
            _maxMessageLength = value;
        }
    }

    /// <summary>The most TLS records the ClientHello may be fragmented over. At least 1; default <see cref="DefaultMaxRecords"/>.</summary>
    public int MaxRecords
    {
        get => _maxRecords == 0 ? DefaultMaxRecords : _maxRecords;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxRecords = value;
        }
    }

    public override string ToString() => $"MaxMessageLength={MaxMessageLength}, MaxRecords={MaxRecords}";
}
