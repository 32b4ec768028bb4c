using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.Identity.Tls;
using MeshProxy.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MeshProxy.Identity.Tests.Sources;

public sealed class FileIdentitySourceTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _dir = new();
    // The CA is made three days ago, so an already expired SVID can be issued under it (see ExpiredSvid).
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow - TimeSpan.FromDays(3));
    private readonly CertificateAuthority _root;
    private readonly CertificateAuthority _issuer;
    private readonly CollectingLogger<FileIdentitySource> _logger = new();
    private readonly FileIdentitySource _source;

    public FileIdentitySourceTests()
    {
        _root = CertificateAuthority.CreateRoot(TestIdentities.ClusterLocal, timeProvider: _clock);
        _issuer = _root.CreateIntermediate("cluster1");
        _clock.Advance(TimeSpan.FromDays(3));
        CertificateAuthorityFiles.WriteSvid(_issuer.Issue(TestIdentities.Server), _issuer, _dir.Path);
        _source = new FileIdentitySource(new FileIdentitySourceOptions
        {
            CertificateChainPath = _dir.File("svid.pem"),
            PrivateKeyPath = _dir.File("svid-key.pem"),
            BundlePath = _dir.File("bundle.pem"),
            FederatedBundlesDirectory = _dir.File("federated"),
            PollInterval = TimeSpan.FromMilliseconds(250),
        }, TimeProvider.System, _logger);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotation_FilesRewritten_NextHandshakeUsesNewSvidAndOpenConnectionKeepsWorking()
    {
        await _source.StartAsync(Cancel);
        var first = await _source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);
        var serverSide = TestIdentities.Builder(_source);
        var clientSide = TestIdentities.Builder(TestIdentities.Source(_root, TestIdentities.Client));
        var clientPolicy = new SpiffeTlsClientPolicy { AuthorizedServers = SpiffeIdMatcher.Exactly(TestIdentities.Server) };

        await using var before = await TlsLoopback.ConnectAsync(
            serverSide.CreateServerOptions(new SpiffeTlsServerPolicy(), new PeerVerification()), clientSide.CreateClientOptions(clientPolicy, new PeerVerification()));
        Assert.True(before.Succeeded, $"{before.ServerError}\n{before.ClientError}");
        Assert.Equal(first.Svid.SerialNumber, SerialOf(before.Client.RemoteCertificate));

        var changed = new TaskCompletionSource<IdentitySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        _source.Changed += snapshot => changed.TrySetResult(snapshot);
        var rotated = _issuer.Issue(TestIdentities.Server);
        CertificateAuthorityFiles.WriteSvid(rotated, _issuer, _dir.Path);
        var second = await changed.Task.WaitAsync(Wait, Cancel);
        Assert.Equal(rotated.SerialNumber, second.Svid.SerialNumber);

        await using var after = await TlsLoopback.ConnectAsync(
            serverSide.CreateServerOptions(new SpiffeTlsServerPolicy(), new PeerVerification()), clientSide.CreateClientOptions(clientPolicy, new PeerVerification()));
        Assert.True(after.Succeeded, $"{after.ServerError}\n{after.ClientError}");
        Assert.Equal(rotated.SerialNumber, SerialOf(after.Client.RemoteCertificate));
        Assert.True(await before.EchoAsync("still here", Wait));
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("wrong-key", "private_key_mismatch")]
    [InlineData("not-an-svid", "missing_path")]
    [InlineData("garbage", "malformed_certificate")]
    public async Task Rotation_InvalidReplacement_RejectedAndOldSvidKept(string replacement, string reason)
    {
        await _source.StartAsync(Cancel);
        var first = await _source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);

        var (chain, key) = replacement switch
        {
            "expired" => ExpiredSvid(),
            "wrong-key" => (_issuer.Issue(TestIdentities.Server).ExportChainPem(), _issuer.Issue(TestIdentities.Server).ExportKeyPem()),
            "not-an-svid" => (_issuer.Certificate.ExportCertificatePem(), CertificateKeys.ExportPkcs8Pem(_issuer.Certificate)),
            _ => ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", File.ReadAllText(_dir.File("svid-key.pem"))),
        };
        File.WriteAllText(_dir.File("svid-key.pem"), key);
        File.WriteAllText(_dir.File("svid.pem"), chain);

        var line = await _logger.WaitForAsync("(" + reason + ")", Wait);
        Assert.StartsWith("Error", line, StringComparison.Ordinal);
        Assert.Equal(first.Svid.SerialNumber, _source.Current!.Svid.SerialNumber);
    }

    [Fact]
    public async Task FederatedBundles_FileAdded_BundleSetGrows()
    {
        var other = CertificateAuthority.CreateRoot(TrustDomain.Parse("other.mesh"));
        Directory.CreateDirectory(_dir.File("federated"));
        File.WriteAllText(_dir.File("federated/other.mesh.pem"), other.Bundle.ToPem());
        await _source.StartAsync(Cancel);
        var first = await _source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);
        Assert.Equal(2, first.Bundles.Count);
        Assert.True(first.Bundles.TryGetBundle(TrustDomain.Parse("other.mesh"), out _));

        // The file is written in place, so a reload may run while it is half written; wait for the one that has it.
        var changed = new TaskCompletionSource<IdentitySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        _source.Changed += snapshot =>
        {
            if (snapshot.Bundles.TryGetBundle(TrustDomain.Parse("third.mesh"), out _))
            {
                changed.TrySetResult(snapshot);
            }
        };
        var third = CertificateAuthority.CreateRoot(TrustDomain.Parse("third.mesh"));
        File.WriteAllText(_dir.File("federated/third.mesh.json"), third.Bundle.ToSpiffeBundleJson());
        var second = await changed.Task.WaitAsync(Wait, Cancel);
        Assert.Equal(3, second.Bundles.Count);
        Assert.True(second.Bundles.TryGetBundle(TrustDomain.Parse("third.mesh"), out var bundle));
        Assert.Equal(third.Root.Thumbprint, Assert.Single(bundle.X509Authorities).Thumbprint);
    }

    public async ValueTask DisposeAsync()
    {
        await _source.StopAsync(CancellationToken.None);
        _source.Dispose();
        _dir.Dispose();
    }

    // The same root, loaded with a clock two days back, issues a 1-hour SVID that has long expired.
    private (string Chain, string Key) ExpiredSvid()
    {
        CertificateAuthorityFiles.Write(_issuer, _dir.File("ca"));
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(2));
        var svid = CertificateAuthorityFiles.Read(_dir.File("ca"), timeProvider: past).Issue(TestIdentities.Server, TimeSpan.FromHours(1));
        return (svid.ExportChainPem(), svid.ExportKeyPem());
    }

    private static string? SerialOf(X509Certificate? certificate) => (certificate as X509Certificate2)?.SerialNumber;
}
