using System.Buffers;

namespace MeshProxy.Tls;

/// <summary>
/// Reads the handshake byte stream carried by consecutive TLS records of a buffer, stepping over the 5-byte record
/// headers, so that a ClientHello fragmented over several records (or buffer segments) is parsed in place, without
/// reassembly. Each record header is checked as soon as its bytes are buffered, so a non-TLS peer is rejected on its
/// first byte. A read either succeeds or stops the reader for good: out of data, or <see cref="Failure"/> set.
/// </summary>
internal ref struct HandshakeRecordReader
{
    public const int RecordHeaderLength = 5;
    private const byte HandshakeContentType = 22;

    // RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes."
    private const int MaxRecordPayloadLength = 1 << 14;

    private SequenceReader<byte> _input;
    private readonly int _maxRecords;
    private int _recordRemaining;
    private int _payloadEnd;
    private int _messageEnd;

    public HandshakeRecordReader(in ReadOnlySequence<byte> input, int maxRecords)
    {
        _input = new SequenceReader<byte>(input);
        _maxRecords = maxRecords;
        _messageEnd = int.MaxValue;
    }

    /// <summary>Offset of the next unread byte in the handshake stream (record headers excluded).</summary>
    public int Position { get; private set; }

    /// <summary>Records entered so far.</summary>
    public int RecordCount { get; private set; }

    /// <summary>Offset in the input just past the current record (header and payload).</summary>
    public long RecordsEnd { get; private set; }

    /// <summary>Why the input is not a ClientHello, once a read found out; otherwise <see cref="NotTlsReason.None"/>.</summary>
    public NotTlsReason Failure { get; private set; }

    /// <summary>
    /// Sets the end of the handshake message (its 4-byte header included). Reading past it, or a record that carries
    /// bytes past it, is <see cref="NotTlsReason.Malformed"/>: a ClientHello is alone in its records.
    /// </summary>
    public bool TrySetMessageEnd(int messageEnd)
    {
        _messageEnd = messageEnd;
        return _payloadEnd <= messageEnd || Fail(NotTlsReason.Malformed);
    }

    /// <summary>
    /// A lower bound on the input length at which the message can be complete, assuming that it is at least
    /// <paramref name="minimumMessageLength"/> long while its length is unknown.
    /// </summary>
    public readonly long MinimumInputLength(int minimumMessageLength)
    {
        var messageEnd = _messageEnd == int.MaxValue ? minimumMessageLength : _messageEnd;
        // The current record must arrive whole; any rest of the message needs at least one more record header.
        return messageEnd <= _payloadEnd ? RecordsEnd : RecordsEnd + RecordHeaderLength + (messageEnd - _payloadEnd);
    }

    public bool TryReadByte(out byte value)
    {
        value = 0;
        if (!CanRead(1) || (_recordRemaining == 0 && !TryEnterRecord()) || !_input.TryRead(out value))
        {
            return false;
        }
        _recordRemaining--;
        Position++;
        return true;
    }

    public bool TryReadUInt16(out int value)
    {
        value = 0;
        if (!TryReadByte(out var high) || !TryReadByte(out var low))
        {
            return false;
        }
        value = high << 8 | low;
        return true;
    }

    public bool TryReadUInt24(out int value)
    {
        value = 0;
        if (!TryReadByte(out var high) || !TryReadUInt16(out var low))
        {
            return false;
        }
        value = high << 16 | low;
        return true;
    }

    /// <summary>Skips <paramref name="count"/> bytes, crossing records as needed.</summary>
    public bool TrySkip(int count) => TryCopyOrSkip(count, []);

    /// <summary>Fills <paramref name="destination"/>, crossing records as needed.</summary>
    public bool TryCopyTo(scoped Span<byte> destination) => TryCopyOrSkip(destination.Length, destination);

    private bool TryCopyOrSkip(int count, scoped Span<byte> destination)
    {
        if (!CanRead(count))
        {
            return false;
        }
        while (count > 0)
        {
            if (_recordRemaining == 0 && !TryEnterRecord())
            {
                return false;
            }
            var chunk = Math.Min(count, _recordRemaining);
            if (_input.Remaining < chunk)
            {
                return false;
            }
            if (!destination.IsEmpty)
            {
                _input.TryCopyTo(destination[..chunk]);
                destination = destination[chunk..];
            }
            _input.Advance(chunk);
            _recordRemaining -= chunk;
            Position += chunk;
            count -= chunk;
        }
        return true;
    }

    private bool CanRead(int count) => Position + count <= _messageEnd || Fail(NotTlsReason.Malformed);

    private bool TryEnterRecord()
    {
        var first = RecordCount == 0;
        if (!_input.TryPeek(0, out var contentType))
        {
            return false;
        }
        if (contentType != HandshakeContentType)
        {
            // RFC 8446 §5.1: handshake messages MUST NOT be interleaved with other record types.
            return Fail(!first ? NotTlsReason.Malformed
                : (contentType & 0x80) != 0 ? NotTlsReason.SslV2Hello
                : NotTlsReason.NotHandshakeRecord);
        }
        if (!_input.TryPeek(1, out var major))
        {
            return false;
        }
        if (major != 3)
        {
            return Fail(first ? NotTlsReason.UnsupportedVersion : NotTlsReason.Malformed);
        }
        if (!_input.TryPeek(2, out var minor))
        {
            return false;
        }
        if (minor > 4)
        {
            return Fail(first ? NotTlsReason.UnsupportedVersion : NotTlsReason.Malformed);
        }
        if (!_input.TryPeek(3, out var high) || !_input.TryPeek(4, out var low))
        {
            return false;
        }
        var length = high << 8 | low;
        if (length is 0 or > MaxRecordPayloadLength)
        {
            // RFC 8446 §5.1: zero-length handshake fragments MUST NOT be sent.
            return Fail(NotTlsReason.InvalidLength);
        }
        if (RecordCount == _maxRecords)
        {
            return Fail(NotTlsReason.TooLarge);
        }
        if (_payloadEnd + length > _messageEnd)
        {
            return Fail(NotTlsReason.Malformed);
        }
        _input.Advance(RecordHeaderLength);
        RecordCount++;
        _recordRemaining = length;
        _payloadEnd += length;
        RecordsEnd = _input.Consumed + length;
        return true;
    }

    /// <summary>Stops the reader with a NotTls answer; returns false to let callers stop in one statement.</summary>
    public bool Fail(NotTlsReason reason)
    {
        Failure = reason;
        return false;
    }
}
