using System.Buffers;

namespace MeshProxy.Listeners;

/// <summary>
/// Classifies a connection from its first bytes without consuming them. Pure and allocation-free.
/// It decides as early as the bytes allow: one byte rules most protocols out, a method token and a space
/// mean HTTP/1.x, and the full 24-byte preface means HTTP/2. A malformed HTTP/1 request still classifies as
/// HTTP/1 so that the HTTP server can answer it with a 400.
/// </summary>
public static class ProtocolSniffer
{
    private const int MaxMethodLength = 20;
    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>The most bytes <see cref="Detect(ReadOnlySpan{byte})"/> ever needs.</summary>
    public const int MaxBytesNeeded = 24;

    public static DetectedProtocol Detect(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment || buffer.FirstSpan.Length >= MaxBytesNeeded)
        {
            return Detect(buffer.FirstSpan);
        }
        Span<byte> head = stackalloc byte[MaxBytesNeeded];
        var length = (int)Math.Min(buffer.Length, MaxBytesNeeded);
        buffer.Slice(0, length).CopyTo(head);
        return Detect(head[..length]);
    }

    public static DetectedProtocol Detect(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return DetectedProtocol.NeedMoreData;
        }

        // TLS record: content type handshake (22), then a 3.x version.
        if (data[0] == 0x16)
        {
            if (data.Length < 3)
            {
                return DetectedProtocol.NeedMoreData;
            }
            return data[1] == 0x03 && data[2] <= 0x04 ? DetectedProtocol.Tls : DetectedProtocol.Opaque;
        }

        var prefaceLength = Math.Min(data.Length, Http2Preface.Length);
        if (data[..prefaceLength].SequenceEqual(Http2Preface[..prefaceLength]))
        {
            return prefaceLength == Http2Preface.Length ? DetectedProtocol.Http2 : DetectedProtocol.NeedMoreData;
        }

        return DetectHttp1(data);
    }

    private static DetectedProtocol DetectHttp1(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length && i <= MaxMethodLength; i++)
        {
            var b = data[i];
            if (b == (byte)' ')
            {
                return i > 0 ? DetectedProtocol.Http1 : DetectedProtocol.Opaque;
            }
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return DetectedProtocol.Opaque;
            }
        }
        return data.Length > MaxMethodLength ? DetectedProtocol.Opaque : DetectedProtocol.NeedMoreData;
    }
}
