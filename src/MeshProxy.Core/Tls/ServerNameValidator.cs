namespace MeshProxy.Tls;

/// <summary>
/// Checks that an SNI host_name is a DNS name we can route on: ASCII letters, digits, '-' and '_' in dot-separated
/// labels of 1 to 63 bytes, 255 bytes at most, no trailing dot (RFC 6066 §3). The underscore is allowed because
/// Istio's SNI names are <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;host&gt;</c>.
/// </summary>
internal static class ServerNameValidator
{
    /// <summary>The longest DNS name, in bytes (RFC 1035 §2.3.4).</summary>
    public const int MaxLength = 255;

    private const int MaxLabelLength = 63;

    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }
        var labelLength = 0;
        foreach (var b in name)
        {
            if (b == (byte)'.')
            {
                if (labelLength == 0)
                {
                    return false;
                }
                labelLength = 0;
            }
            else if (!IsLabelByte(b) || ++labelLength > MaxLabelLength)
            {
                return false;
            }
        }
        return labelLength > 0;
    }

    private static bool IsLabelByte(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_';
}
