using System.Buffers;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// Seeded random and mutated inputs: the parser never throws, always gives one of its three answers with the fields
/// that answer promises, answers the same however the bytes are segmented, and never changes its mind as more bytes
/// arrive. The fuzz target (tests/MeshProxy.Fuzz) checks the same invariants on inputs that AFL++ finds.
/// </summary>
public sealed partial class ClientHelloParserTests
{
    [Fact]
    public void Parse_RandomGarbage_NotTlsOrNeedMoreDataAndNeverThrows()
    {
        var random = new Random(20251125);
        for (var i = 0; i < 20_000; i++)
        {
            var input = new byte[random.Next(0, 600)];
            random.NextBytes(input);

            var result = ClientHelloInvariants.ParseAndCheck(input, random.Next(), default);

            Assert.NotEqual(ClientHelloParseStatus.Found, result.Status);
            if (input.Length > 0 && input[0] != 0x16)
            {
                Assert.Equal(ClientHelloParseStatus.NotTls, result.Status);
            }
        }
    }

    [Fact]
    public void Parse_RandomBodyBehindClientHelloHeaders_DefiniteAnswerAndNeverThrows()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 400)];
            random.NextBytes(body);
            var bodyLength = random.Next(2) == 0 ? body.Length : random.Next(0, 500);
            byte[] input = [0x16, 0x03, 0x01, (byte)((bodyLength + 4) >> 8), (byte)(bodyLength + 4),
                0x01, 0x00, (byte)(bodyLength >> 8), (byte)bodyLength, .. body];

            var result = ClientHelloInvariants.ParseAndCheck(input, random.Next(), default);

            // With the whole declared record present, the parser cannot still be waiting.
            if (body.Length >= bodyLength)
            {
                Assert.NotEqual(ClientHelloParseStatus.NeedMoreData, result.Status);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_MutatedCapturedHello_SameAnswerForEverySegmentationAndLongerPrefix(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var original = capture.ReadTestData();
        var random = new Random(fileName.Length * 7919);
        var mutations = original.Length > 2048 ? 20 : 300;
        for (var i = 0; i < mutations; i++)
        {
            var input = Mutate(original, random);

            var result = ClientHelloInvariants.ParseAndCheck(input, random.Next(), capture.Limits);

            AssertStableOverPrefixes(input, result, capture.Limits, step: input.Length > 2048 ? 97 : 1);
        }
    }

    /// <summary>Once a prefix gets Found or NotTls, every longer prefix gets the same answer.</summary>
    private static void AssertStableOverPrefixes(byte[] input, in ClientHelloParseResult full, in ClientHelloLimits limits, int step)
    {
        var decidedAt = -1;
        for (var length = 0; length <= input.Length; length += step)
        {
            var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(input, 0, length), limits);
            if (result.Status == ClientHelloParseStatus.NeedMoreData)
            {
                Assert.True(decidedAt < 0, $"decided at {decidedAt}, undecided again at {length}");
                continue;
            }
            decidedAt = decidedAt < 0 ? length : decidedAt;
            ClientHelloInvariants.ExpectSame(full, result, $"prefix {length} of {input.Length}");
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes[at] = (byte)(bytes[at] + (random.Next(2) == 0 ? 1 : -1));
                    break;
                case 3:
                    bytes.RemoveAt(at);
                    break;
                case 4:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }
        return [.. bytes];
    }
}
