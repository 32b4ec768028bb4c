using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// The certificates the mTLS tests share, made once per test class: a cluster.local mesh from the built-in CA (server
/// and client sidecars, expired and not-yet-valid leaves), a foreign trust domain nobody trusts, and openssl-made
/// trust domains example.org and other.org that the server federates with (including the bad leaves of
/// <see cref="OpenSslPki"/>), plus an openssl-made server SVID with an IP SAN so curl can verify it by address.
/// </summary>
public sealed class MeshCertificates : IAsyncLifetime
{
    public MeshPki Mesh { get; } = new("cluster.local");

    public MeshPki Foreign { get; } = new("evil.org");

    public OpenSslPki OpenSslCerts { get; } = new();

    public string ServerId => Mesh.Id("server");

    public string ClientId => Mesh.Id("client");

    public const string OpenSslServerId = "spiffe://example.org/ns/default/sa/server";

    public SvidFiles Server { get; private set; } = null!;

    public SvidFiles Client { get; private set; } = null!;

    /// <summary>The example.org server identity made by openssl (leaf, intermediate), trusting example.org's root.</summary>
    public SvidFiles OpenSslServer { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await OpenSslCerts.InitializeAsync();
        Server = Mesh.Issue("server", ServerId);
        Client = Mesh.Issue("client", ClientId);
        Directory.CreateDirectory(Server.FederatedBundles);
        File.Copy(Path.Combine(OpenSslCerts.Directory, "rootA.pem"), Path.Combine(Server.FederatedBundles, "example.org.pem"));
        File.Copy(Path.Combine(OpenSslCerts.Directory, "rootB.pem"), Path.Combine(Server.FederatedBundles, "other.org.pem"));

        await TestSupport.OpenSsl.IssueAsync(OpenSslCerts.Directory, "intermediateA", "proxyServer",
            TestSupport.OpenSsl.GoodLeafExtensions + "\nsubjectAltName=critical,URI:" + OpenSslServerId + ",IP:127.0.0.1");
        OpenSslServer = new SvidFiles(Path.Combine(OpenSslCerts.Directory, "proxyServer-identity"));
        Directory.CreateDirectory(OpenSslServer.Directory);
        await File.WriteAllTextAsync(OpenSslServer.Certificate, Pem("proxyServer") + Pem("intermediateA"));
        File.Copy(Path.Combine(OpenSslCerts.Directory, "proxyServer.key"), OpenSslServer.Key);
        File.Copy(Path.Combine(OpenSslCerts.Directory, "rootA.pem"), OpenSslServer.Bundle);
    }

    /// <summary>An openssl-made certificate's PEM file.</summary>
    public string OpenSslFile(string name, string extension = ".pem") => Path.Combine(OpenSslCerts.Directory, name + extension);

    /// <summary>Leaf followed by intermediate, for a client that must send its chain (curl --cert, s_client -cert_chain).</summary>
    public async Task<string> OpenSslChainAsync(string leaf, string issuer)
    {
        var path = Path.Combine(OpenSslCerts.Directory, $"{leaf}-chain.pem");
        await File.WriteAllTextAsync(path, Pem(leaf) + Pem(issuer));
        return path;
    }

    private string Pem(string name) => File.ReadAllText(OpenSslFile(name));

    public async ValueTask DisposeAsync()
    {
        await OpenSslCerts.DisposeAsync();
        Mesh.Dispose();
        Foreign.Dispose();
    }
}
