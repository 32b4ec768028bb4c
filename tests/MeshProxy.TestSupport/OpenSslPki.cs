using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using Xunit;

namespace MeshProxy.TestSupport;

/// <summary>
/// A set of openssl-made certificates, created once per test class: trust domain example.org (root A and an
/// intermediate), other.org (root B), an unknown root C, and leaves good and bad.
/// </summary>
public sealed class OpenSslPki : IAsyncLifetime
{
    public static readonly TrustDomain ExampleOrg = TrustDomain.Parse("example.org");
    public static readonly TrustDomain OtherOrg = TrustDomain.Parse("other.org");
    public const string WebId = "spiffe://example.org/ns/default/sa/web";

    private readonly TempDirectory _directory = new();

    public string Directory => _directory.Path;

    /// <summary>When the leaves were made; they are valid from then for one day.</summary>
    public DateTimeOffset CreatedAt { get; private set; }

    public X509Certificate2 Load(string name) => OpenSsl.Load(Directory, name);

    public TrustBundle Bundle(TrustDomain trustDomain, string rootName) => new(trustDomain, [Load(rootName)]);

    public async ValueTask InitializeAsync()
    {
        CreatedAt = DateTimeOffset.UtcNow;
        var dir = Directory;
        await OpenSsl.CreateRootAsync(dir, "rootA", "example.org");
        await OpenSsl.CreateRootAsync(dir, "rootB", "other.org");
        await OpenSsl.CreateRootAsync(dir, "rootC", "example.org");
        await OpenSsl.IssueAsync(dir, "rootA", "intermediateA", """
            basicConstraints=critical,CA:TRUE
            keyUsage=critical,keyCertSign,cRLSign
            subjectAltName=URI:spiffe://example.org
            """);
        await OpenSsl.IssueAsync(dir, "rootA", "shortIntermediate", """
            basicConstraints=critical,CA:TRUE
            keyUsage=critical,keyCertSign,cRLSign
            subjectAltName=URI:spiffe://example.org
            """);

        await Task.WhenAll(
            OpenSsl.IssueLeafAsync(dir, "intermediateA", "web", WebId),
            OpenSsl.IssueLeafAsync(dir, "rootA", "direct", WebId),
            OpenSsl.IssueAsync(dir, "shortIntermediate", "longLeaf", OpenSsl.GoodLeafExtensions + "\nsubjectAltName=critical,URI:" + WebId, days: 10),
            OpenSsl.IssueLeafAsync(dir, "rootB", "federated", "spiffe://other.org/ns/billing/sa/api"),
            OpenSsl.IssueLeafAsync(dir, "rootA", "otherTdSignedByA", "spiffe://other.org/ns/billing/sa/api"),
            OpenSsl.IssueLeafAsync(dir, "rootC", "unknownCa", WebId),
            OpenSsl.IssueLeafAsync(dir, "rootA", "httpsUri", "https://example.org/web"),
            OpenSsl.IssueLeafAsync(dir, "rootA", "malformedPath", "spiffe://example.org/ns//web"),
            OpenSsl.IssueLeafAsync(dir, "rootA", "rootPath", "spiffe://example.org"),
            OpenSsl.IssueAsync(dir, "rootA", "twoUris", OpenSsl.GoodLeafExtensions + "\nsubjectAltName=URI:" + WebId + ",URI:spiffe://example.org/ns/default/sa/db"),
            OpenSsl.IssueAsync(dir, "rootA", "noUri", OpenSsl.GoodLeafExtensions + "\nsubjectAltName=DNS:web.example.org"),
            OpenSsl.IssueAsync(dir, "rootA", "leafCa", """
                basicConstraints=critical,CA:TRUE
                keyUsage=critical,digitalSignature
                """ + "\nsubjectAltName=URI:" + WebId),
            OpenSsl.IssueAsync(dir, "rootA", "keyCertSign", """
                basicConstraints=critical,CA:FALSE
                keyUsage=critical,digitalSignature,keyCertSign
                """ + "\nsubjectAltName=URI:" + WebId),
            OpenSsl.IssueAsync(dir, "rootA", "crlSign", """
                basicConstraints=critical,CA:FALSE
                keyUsage=critical,digitalSignature,cRLSign
                """ + "\nsubjectAltName=URI:" + WebId),
            OpenSsl.IssueAsync(dir, "rootA", "noDigitalSignature", """
                basicConstraints=critical,CA:FALSE
                keyUsage=critical,keyEncipherment
                """ + "\nsubjectAltName=URI:" + WebId));
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
