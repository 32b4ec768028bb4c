using System.Buffers;
using MeshProxy.TestSupport;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// The same clients, live: today's curl, openssl and SslStream on this machine still produce hellos the parser reads.
/// With MESHPROXY_CAPTURE_TESTDATA=1 these tests also (re)write testdata/*.bin; see testdata/README.md.
/// </summary>
public sealed partial class ClientHelloParserTests
{
    private const string CaptureVariable = "MESHPROXY_CAPTURE_TESTDATA";

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public async Task Parse_LiveHelloFromRealClient_FoundWithItsServerNameAndAlpn(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);

        var bytes = await ClientHelloCaptureServer.CaptureAsync(capture.RunClientAsync, TimeSpan.FromSeconds(20));

        // The versions a client lists follow its TLS library's configuration, so only the stored captures pin them.
        AssertFound(capture, bytes.Length, ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), capture.Limits), exactVersions: false);
        if (Environment.GetEnvironmentVariable(CaptureVariable) == "1")
        {
            await File.WriteAllBytesAsync(RepositoryPaths.Combine("tests", "MeshProxy.Core.Tests", "Tls", "testdata", fileName), bytes,
                TestContext.Current.CancellationToken);
        }
    }
}
