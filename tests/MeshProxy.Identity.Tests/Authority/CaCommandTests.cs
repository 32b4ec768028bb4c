using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.TestSupport;
using Xunit;

namespace MeshProxy.Identity.Tests.Authority;

/// <summary>The real `meshproxy ca` verbs, run as a separate process, checked by openssl and by our validator.</summary>
public class CaCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<ProcessResult> MeshProxyAsync(params string[] arguments) =>
        await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, .. arguments], Timeout, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task InitIntermediateIssue_ChainVerifiesWithOpenSslAndValidator()
    {
        using var dir = new TempDirectory();
        var init = await MeshProxyAsync("ca", "init", "--out", dir.File("root"), "--trust-domain", "mesh.example");
        Assert.True(init.ExitCode == 0, init.ToString());
        var intermediate = await MeshProxyAsync("ca", "intermediate", "--root", dir.File("root"), "--out", dir.File("cluster1"), "--name", "cluster1");
        Assert.True(intermediate.ExitCode == 0, intermediate.ToString());
        var issue = await MeshProxyAsync("ca", "issue", "--ca", dir.File("cluster1"), "--spiffe-id", "spiffe://mesh.example/ns/default/sa/web",
            "--out", dir.File("web"), "--ttl", "2h");
        Assert.True(issue.ExitCode == 0, issue.ToString());

        var svid = X509Svid.FromPem(File.ReadAllText(dir.File("web/svid.pem")), File.ReadAllText(dir.File("web/svid-key.pem")));
        File.WriteAllText(dir.File("leaf.pem"), svid.Leaf.ExportCertificatePem());
        var verify = await OpenSsl.RunAsync("verify", "-CAfile", dir.File("root/root.pem"), "-untrusted", dir.File("cluster1/ca.pem"), dir.File("leaf.pem"));
        Assert.Contains(": OK", verify.StandardOutput, StringComparison.Ordinal);

        var bundle = TrustBundle.FromText(TrustDomain.Parse("mesh.example"), File.ReadAllText(dir.File("web/bundle.json")));
        var result = new SvidValidator(TimeProvider.System).ValidateOwn(svid, TrustBundleSet.Create([bundle]));
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("spiffe://mesh.example/ns/default/sa/web", result.Id!.ToString());
        Assert.InRange(svid.NotAfter - DateTimeOffset.UtcNow, TimeSpan.FromHours(1.5), TimeSpan.FromHours(2));
        Assert.Equal(File.ReadAllText(dir.File("root/root.pem")), File.ReadAllText(dir.File("web/bundle.pem")));
    }

    [Theory]
    [InlineData("spiffe://other.example/ns/default/sa/web", "24h", "trust domain")]
    [InlineData("spiffe://mesh.example/ns//web", "24h", "empty segments")]
    [InlineData("spiffe://mesh.example/ns/default/sa/web", "soon", "--ttl")]
    public async Task Issue_BadInput_ExitsOneWithAReason(string spiffeId, string ttl, string reason)
    {
        using var dir = new TempDirectory();
        CertificateAuthorityFiles.Write(CertificateAuthority.CreateRoot(TrustDomain.Parse("mesh.example")), dir.File("root"));
        var issue = await MeshProxyAsync("ca", "issue", "--ca", dir.File("root"), "--spiffe-id", spiffeId, "--out", dir.File("web"), "--ttl", ttl);
        Assert.Equal(1, issue.ExitCode);
        Assert.Contains(reason, issue.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("web")));
    }

    [Fact]
    public async Task Help_EveryVerb_HasADescription()
    {
        var help = await MeshProxyAsync("ca", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("init", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("intermediate", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Issue a leaf X.509-SVID", help.StandardOutput, StringComparison.Ordinal);
        var issueHelp = await MeshProxyAsync("ca", "issue", "--help");
        Assert.Contains("--spiffe-id", issueHelp.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("--ttl", issueHelp.StandardOutput, StringComparison.Ordinal);
    }
}
