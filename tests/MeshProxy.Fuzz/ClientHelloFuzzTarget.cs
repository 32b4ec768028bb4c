using System.Buffers;
using MeshProxy.Tls;
using MeshProxy.Tls.Tests;

namespace MeshProxy.Fuzz;

/// <summary>
/// Feeds one input to <see cref="ClientHelloParser"/> whole, split in two, one byte per segment and cut in half, and
/// throws when an invariant of <see cref="ClientHelloInvariants"/> breaks, which AFL++ records as a crash.
/// </summary>
internal static class ClientHelloFuzzTarget
{
    public static void Run(Stream input)
    {
        using var copy = new MemoryStream();
        input.CopyTo(copy);
        Run(copy.ToArray());
    }

    public static void Run(byte[] input)
    {
        // The default limits, then tight ones chosen by the input, so the TooLarge paths are reached too.
        Check(input, default);
        if (input.Length > 1)
        {
            Check(input, new ClientHelloLimits { MaxRecords = 1 + input[0] % 4, MaxMessageLength = 41 + input[^1] * 8 });
        }
    }

    private static void Check(byte[] input, in ClientHelloLimits limits)
    {
        var split = input.Length == 0 ? 0 : input[input.Length / 2];
        var whole = ClientHelloInvariants.ParseAndCheck(input, split, limits);

        // An answer never changes as bytes arrive: a decided half decides the whole the same way.
        var half = ClientHelloParser.Parse(new ReadOnlySequence<byte>(input, 0, input.Length / 2), limits);
        if (half.Status != ClientHelloParseStatus.NeedMoreData)
        {
            ClientHelloInvariants.ExpectSame(half, whole, "first half, then whole");
        }
    }
}
