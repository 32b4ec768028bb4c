using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// What must hold for any input whatsoever, checked by the property tests and by the fuzz target (which links this
/// file). A violation throws <see cref="InvalidOperationException"/>, which the fuzzer reports as a crash.
/// </summary>
internal static partial class ClientHelloInvariants
{
    /// <summary>Parses <paramref name="input"/> whole, split in two at <paramref name="split"/>, and one byte per segment.</summary>
    public static ClientHelloParseResult ParseAndCheck(byte[] input, int split, in ClientHelloLimits limits)
    {
        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(input), limits);
        CheckConsistent(input, result, limits);
        var boundary = input.Length == 0 ? 0 : split % input.Length;
        ExpectSame(result, ClientHelloParser.Parse(SegmentedSequence.Split(input, boundary), limits), $"split at {boundary}");
        ExpectSame(result, ClientHelloParser.Parse(SegmentedSequence.OneBytePerSegment(input), limits), "one byte per segment");
        return result;
    }

    /// <summary>The result is one of the three answers, with the fields that answer promises.</summary>
    public static void CheckConsistent(byte[] input, in ClientHelloParseResult result, in ClientHelloLimits limits)
    {
        switch (result.Status)
        {
            case ClientHelloParseStatus.NeedMoreData:
                Expect(result.Reason == NotTlsReason.None && result.BytesNeeded >= 1, result);
                break;
            case ClientHelloParseStatus.NotTls:
                Expect(result.Reason != NotTlsReason.None && result.BytesNeeded == 0, result);
                break;
            case ClientHelloParseStatus.Found:
                CheckFound(input, result, limits);
                break;
            default:
                throw new InvalidOperationException($"Unknown status: {result}");
        }
    }

    private static void CheckFound(byte[] input, in ClientHelloParseResult result, in ClientHelloLimits limits)
    {
        ref readonly var hello = ref result.Hello;
        Expect(result.Reason == NotTlsReason.None && result.BytesNeeded == 0, result);
        Expect(hello.Length >= 5 + 4 + 41 && hello.Length <= input.Length, result);
        Expect(hello.RecordCount >= 1 && hello.RecordCount <= limits.MaxRecords, result);
        Expect(hello.LegacyVersion >> 8 == 3, result);
        Expect(!hello.HasServerName || IsDnsName(Encoding.Latin1.GetString(hello.ServerName)), result);
        foreach (var protocol in hello.ApplicationProtocols)
        {
            Expect(!protocol.IsEmpty, result);
        }
        // A hello is self-delimiting: the bytes it occupied parse alone to the same hello.
        ExpectSame(result, ClientHelloParser.Parse(new ReadOnlySequence<byte>(input, 0, hello.Length), limits), "hello bytes alone");
    }

    /// <summary>Throws unless two answers are the same, down to the hello's fields.</summary>
    public static void ExpectSame(in ClientHelloParseResult expected, in ClientHelloParseResult actual, string context)
    {
        if (Describe(expected) != Describe(actual))
        {
            throw new InvalidOperationException($"{context}: expected {Describe(expected)}, got {Describe(actual)}");
        }
    }

    /// <summary>The answer without BytesNeeded, which legitimately shrinks as bytes arrive.</summary>
    public static string Describe(in ClientHelloParseResult result) =>
        result.Status == ClientHelloParseStatus.NeedMoreData ? "NeedMoreData" : result.ToString();

    // An oracle independent of ServerNameValidator: labels of 1-63 letters, digits, '-' or '_', 255 bytes at most.
    private static bool IsDnsName(string name) => name.Length <= 255 && DnsName().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,63}(\.[A-Za-z0-9_-]{1,63})*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    private static void Expect(bool condition, in ClientHelloParseResult result)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Invariant violated: {result}");
        }
    }
}
