using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// A STRICT inbound port against clients it must refuse, each with the reason counted and logged: certificates made
/// by openssl (bad SAN, CA and key-usage flags, unknown CA, a bundle from another trust domain) and by the built-in CA
/// (expired, not yet valid, an untrusted trust domain), no certificate, and plaintext. The server federates with
/// example.org and other.org, so a good openssl-made example.org client gets through.
/// </summary>
public sealed class InboundRejectionTests(MeshCertificates certificates) : IClassFixture<MeshCertificates>
{
    private const string Request = "GET /echo HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n";

    public static TheoryData<string, string> OpenSslLeaves => new()
    {
        { "twoUris", "multiple_uri_sans" },
        { "noUri", "no_uri_san" },
        { "leafCa", "leaf_is_ca" },
        { "keyCertSign", "leaf_has_key_cert_sign" },
        { "httpsUri", "not_spiffe_uri" },
        { "malformedPath", "malformed_spiffe_id" },
        { "unknownCa", "untrusted_chain" },
        // An other.org ID signed by example.org's root: other.org's own bundle must be the one that decides.
        { "otherTdSignedByA", "untrusted_chain" },
    };

    [Theory]
    [MemberData(nameof(OpenSslLeaves))]
    public async Task OpensslMadeLeaf_IsRefusedWithItsReason(string leaf, string reason)
    {
        await AssertRefusedAsync(certificates.OpenSslFile(leaf), certificates.OpenSslFile(leaf, ".key"), reason);
    }

    [Fact]
    public async Task ExpiredLeaf_IsRefused()
    {
        var svid = certificates.Mesh.IssueAt("expired", certificates.Mesh.Id("late"), DateTimeOffset.UtcNow.AddDays(-3), TimeSpan.FromHours(1));
        await AssertRefusedAsync(svid.Certificate, svid.Key, "expired");
    }

    [Fact]
    public async Task NotYetValidLeaf_IsRefused()
    {
        var svid = certificates.Mesh.IssueAt("early", certificates.Mesh.Id("early"), DateTimeOffset.UtcNow.AddDays(2), TimeSpan.FromHours(24));
        await AssertRefusedAsync(svid.Certificate, svid.Key, "not_yet_valid");
    }

    [Fact]
    public async Task LeafOfATrustDomainWithoutBundle_IsRefused()
    {
        var svid = certificates.Foreign.Issue("intruder", certificates.Foreign.Id("intruder"));
        await AssertRefusedAsync(svid.Certificate, svid.Key, "no_bundle_for_trust_domain");
    }

    [Fact]
    public async Task ClientWithoutCertificate_IsRefused()
    {
        await AssertRefusedAsync(certificate: null, key: null, "no_certificate");
    }

    [Fact]
    public async Task FederatedTrustDomainLeafFromOpenssl_IsAcceptedAndSeenByItsId()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var server = await StartServerAsync(backend.Http1Address);
        var chain = await certificates.OpenSslChainAsync("web", "intermediateA");

        var result = await MutualTlsTests.SClientAsync(server, chain, certificates.OpenSslFile("web", ".key"), "http/1.1", certificates.Server.Bundle, Request);

        Assert.True(result.StandardOutput.Contains("HTTP/1.1 200", StringComparison.Ordinal), result + "\n" + string.Join('\n', server.Logs.Lines));
        Assert.Contains($"URI={OpenSslPki.WebId}", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalReplyOverMutualTls_ReachesTheClientBeforeTheConnectionCloses()
    {
        await using var server = await StartServerAsync();
        var chain = await certificates.OpenSslChainAsync("web", "intermediateA");

        var result = await MutualTlsTests.SClientAsync(server, chain, certificates.OpenSslFile("web", ".key"), "http/1.1", certificates.Server.Bundle, Request);

        Assert.True(result.StandardOutput.Contains("HTTP/1.1 503", StringComparison.Ordinal), result + "\n" + string.Join('\n', server.Logs.Lines));
        Assert.Contains("upstream connect error or disconnect/reset before headers", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaintextToStrictPort_IsClosedAndCounted()
    {
        await using var server = await StartServerAsync();

        var result = await Curl.RunAsync(server.ListenerUri("inbound", "/echo").ToString());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(1, await AdminStats.WaitForAsync(server, "listener.inbound.downstream_cx_plaintext_refused", expected: 1));
    }

    private async Task AssertRefusedAsync(string? certificate, string? key, string reason)
    {
        await using var server = await StartServerAsync();

        var result = await MutualTlsTests.SClientAsync(server, certificate, key, "istio-http/1.1,istio,http/1.1", certificates.Server.Bundle, Request);

        Assert.DoesNotContain("HTTP/1.1 200", result.StandardOutput, StringComparison.Ordinal);
        var count = await AdminStats.WaitForAsync(server, $"listener.inbound.ssl.handshake_failure.{reason}", expected: 1);
        Assert.True(count == 1, $"{reason}: {count}\n{result}\n{string.Join('\n', server.Logs.Lines)}");
        Assert.Contains(server.Logs.Lines, line => line.Message.Contains($"failed ({reason})", StringComparison.Ordinal));
    }

    /// <summary>The server sidecar; its upstreams are unreachable unless given, since refused clients never get that far.</summary>
    private Task<ProxyTestHost> StartServerAsync(System.Net.IPEndPoint? backend = null)
    {
        var nowhere = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9);
        return ProxyTestHost.StartAsync(SidecarYaml.Server(certificates.Server, backend ?? nowhere, nowhere, federated: true));
    }
}
