namespace MeshProxy.Tls.Tests;

/// <summary>Frames handshake messages into TLS records and back, to fragment real ClientHellos over several records.</summary>
internal static class TlsRecords
{
    public const int HeaderLength = 5;

    /// <summary>The handshake bytes carried by the leading handshake records of <paramref name="records"/>.</summary>
    public static byte[] Unframe(ReadOnlySpan<byte> records)
    {
        var message = new List<byte>();
        while (records.Length >= HeaderLength && records[0] == 22)
        {
            var length = records[3] << 8 | records[4];
            message.AddRange(records.Slice(HeaderLength, length));
            records = records[(HeaderLength + length)..];
        }
        return [.. message];
    }

    /// <summary>
    /// Frames <paramref name="message"/> into handshake records whose payloads have the given lengths; the last record
    /// takes whatever is left (so pass one length fewer than the records wanted).
    /// </summary>
    public static byte[] Frame(ReadOnlySpan<byte> message, ReadOnlySpan<int> fragmentLengths, ushort version = 0x0301)
    {
        var output = new List<byte>();
        foreach (var length in fragmentLengths)
        {
            AppendRecord(output, message[..length], version);
            message = message[length..];
        }
        if (!message.IsEmpty)
        {
            AppendRecord(output, message, version);
        }
        return [.. output];
    }

    /// <summary>Frames <paramref name="message"/> into records of <paramref name="fragmentLength"/> bytes each.</summary>
    public static byte[] FrameEvery(ReadOnlySpan<byte> message, int fragmentLength)
    {
        var lengths = new int[(message.Length - 1) / fragmentLength];
        Array.Fill(lengths, fragmentLength);
        return Frame(message, lengths);
    }

    /// <summary>Re-frames the ClientHello in <paramref name="records"/> with the given fragment lengths.</summary>
    public static byte[] Reframe(ReadOnlySpan<byte> records, params ReadOnlySpan<int> fragmentLengths) =>
        Frame(Unframe(records), fragmentLengths, (ushort)(records[1] << 8 | records[2]));

    public static void AppendRecord(List<byte> output, ReadOnlySpan<byte> payload, ushort version = 0x0301, byte contentType = 22)
    {
        output.Add(contentType);
        output.Add((byte)(version >> 8));
        output.Add((byte)version);
        output.Add((byte)(payload.Length >> 8));
        output.Add((byte)payload.Length);
        output.AddRange(payload);
    }
}
