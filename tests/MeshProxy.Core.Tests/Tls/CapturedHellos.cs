using System.Net.Security;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// Every real ClientHello in <c>testdata/</c>, with the exact client invocation that produced it. testdata/README.md
/// explains how to capture them again.
/// </summary>
internal static class CapturedHellos
{
    // What OpenSSL 3.0 (curl's and SslStream's TLS library here too) lists in supported_versions by default.
    private const TlsVersions Tls10To13 = TlsVersions.Tls10 | TlsVersions.Tls11 | TlsVersions.Tls12 | TlsVersions.Tls13;

    /// <summary>70 protocol names of 245 bytes: pushes OpenSSL's ClientHello past 2^14 bytes, into a second record.</summary>
    public static readonly string[] LargeAlpnList =
        [.. Enumerable.Range(0, 70).Select(i => $"p{i:D2}-" + new string('x', 241))];

    public static readonly CapturedHello[] All =
    [
        new("curl-reviews.bin", "outbound_.8080_._.reviews.default.svc.cluster.local", ["h2", "http/1.1"], Tls10To13,
            CapturedHello.Curl("outbound_.8080_._.reviews.default.svc.cluster.local")),
        new("openssl-istio-alpn.bin", "outbound_.9080_.v1_.ratings.default.svc.cluster.local", ["istio-peer-exchange", "istio", "h2"], Tls10To13,
            CapturedHello.OpenSsl("-servername", "outbound_.9080_.v1_.ratings.default.svc.cluster.local", "-alpn", "istio-peer-exchange,istio,h2")),
        new("openssl-h2-http11.bin", "outbound_.9080_._.productpage.default.svc.cluster.local", ["h2", "http/1.1"], Tls10To13,
            CapturedHello.OpenSsl("-servername", "outbound_.9080_._.productpage.default.svc.cluster.local", "-alpn", "h2,http/1.1")),
        new("openssl-no-sni.bin", null, [], Tls10To13,
            CapturedHello.OpenSsl("-noservername")),
        new("openssl-tls12-only.bin", "outbound_.8080_.v2_.reviews.default.svc.cluster.local", ["istio-http/1.1", "istio", "http/1.1"], TlsVersions.None,
            CapturedHello.OpenSsl("-tls1_2", "-servername", "outbound_.8080_.v2_.reviews.default.svc.cluster.local", "-alpn", "istio-http/1.1,istio,http/1.1")),
        new("openssl-many-extensions.bin", "outbound_.15443_._.istio-eastwestgateway.istio-system.svc.cluster.local", ["istio-h2", "istio", "h2"], Tls10To13,
            CapturedHello.OpenSsl("-servername", "outbound_.15443_._.istio-eastwestgateway.istio-system.svc.cluster.local",
                // -bugs turns on the padding extension (RFC 7685); -serverinfo adds empty extensions of those types.
                "-alpn", "istio-h2,istio,h2", "-bugs", "-status", "-serverinfo", "18,19,20,21000",
                "-groups", "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192",
                "-sigalgs", "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:RSA-PSS+SHA256:RSA-PSS+SHA384:RSA-PSS+SHA512:RSA+SHA256:RSA+SHA384:RSA+SHA512")),
        new("openssl-two-records.bin", "outbound_.8080_._.large.default.svc.cluster.local", [LargeAlpnList[0]], Tls10To13,
            CapturedHello.OpenSsl("-servername", "outbound_.8080_._.large.default.svc.cluster.local", "-alpn", string.Join(',', LargeAlpnList)))
        {
            RecordCount = 2,
            Limits = new ClientHelloLimits { MaxMessageLength = 64 * 1024 },
            AlpnTruncated = true,
        },
        new("sslstream-reviews.bin", "outbound_.8080_.v2_.reviews.default.svc.cluster.local", ["h2", "http/1.1"], Tls10To13,
            CapturedHello.SslStreamClient("outbound_.8080_.v2_.reviews.default.svc.cluster.local",
                SslApplicationProtocol.Http2, SslApplicationProtocol.Http11)),
    ];

    public static TheoryData<string> FileNames => [.. All.Select(c => c.FileName)];

    public static CapturedHello Get(string fileName) => All.Single(c => c.FileName == fileName);
}
