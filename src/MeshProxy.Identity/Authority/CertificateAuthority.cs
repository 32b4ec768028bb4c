using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using Org.BouncyCastle.Asn1.X509;
using X509Extension = System.Security.Cryptography.X509Certificates.X509Extension;

namespace MeshProxy.Identity.Authority;

/// <summary>
/// A small X.509 CA for development and tests, built on the BCL's <see cref="CertificateRequest"/>. It creates a
/// root for a trust domain, per-cluster intermediates signed by a shared root (as federating meshes do), and
/// leaf X.509-SVIDs. Every certificate it makes follows X509-SVID.md: signing certificates carry the trust
/// domain's SPIFFE ID, cA=true and keyCertSign+cRLSign; leaves carry exactly one URI SAN (critical, with an empty
/// subject, as Istio's), digitalSignature (+keyEncipherment for RSA), EKU serverAuth+clientAuth, cA=false.
/// </summary>
public sealed class CertificateAuthority
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    private readonly CertificateAuthorityOptions _options;
    private readonly TimeProvider _timeProvider;

    private CertificateAuthority(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> issuers, X509Certificate2 root, TrustDomain trustDomain,
        CertificateAuthorityOptions options, TimeProvider timeProvider)
    {
        Certificate = certificate;
        Issuers = issuers;
        Root = root;
        TrustDomain = trustDomain;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>This CA's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The intermediates above this CA, closest first, excluding the root; empty for a root or an intermediate signed by the root.</summary>
    public IReadOnlyList<X509Certificate2> Issuers { get; }

    /// <summary>The root this CA chains to (this CA's own certificate when it is the root).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The trust domain this CA issues SVIDs for.</summary>
    public TrustDomain TrustDomain { get; }

    /// <summary>True for a self-signed root.</summary>
    public bool IsRoot => Certificate.RawDataMemory.Span.SequenceEqual(Root.RawDataMemory.Span);

    /// <summary>The certificates a leaf issued here presents after itself: this CA (unless root) and <see cref="Issuers"/>.</summary>
    public IReadOnlyList<X509Certificate2> ChainAboveLeaf => IsRoot ? [] : [Certificate, .. Issuers];

    /// <summary>The trust bundle for <see cref="TrustDomain"/>: the root.</summary>
    public TrustBundle Bundle => new(TrustDomain, [Root]);

    /// <summary>Creates a self-signed root for <paramref name="trustDomain"/>.</summary>
    public static CertificateAuthority CreateRoot(TrustDomain trustDomain, CertificateAuthorityOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new CertificateAuthorityOptions();
        timeProvider ??= TimeProvider.System;
        var now = timeProvider.GetUtcNow();
        using var key = CreateKey(options.KeyAlgorithm);
        var request = CreateSigningRequest($"CN={trustDomain} root CA, O=meshproxy", key, trustDomain);
        var root = request.CreateSelfSigned(now - options.Backdate, now + options.RootLifetime);
        return new CertificateAuthority(root, [], root, trustDomain, options, timeProvider);
    }

    /// <summary>
    /// Creates an intermediate CA signed by this one, named <paramref name="name"/> (e.g. a cluster name), for
    /// <paramref name="trustDomain"/> (default: this CA's). Its lifetime is capped by this CA's notAfter.
    /// </summary>
    public CertificateAuthority CreateIntermediate(string name, TrustDomain? trustDomain = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        trustDomain ??= TrustDomain;
        using var key = CreateKey(_options.KeyAlgorithm);
        var request = CreateSigningRequest($"CN={name} intermediate CA, O=meshproxy", key, trustDomain);
        var certificate = Sign(request, _options.IntermediateLifetime);
        return new CertificateAuthority(CertificateKeys.Attach(certificate, key), ChainAboveLeaf, Root, trustDomain, _options, _timeProvider);
    }

    /// <summary>
    /// Issues a leaf X.509-SVID for <paramref name="id"/>, which must be in this CA's trust domain and have a
    /// path. Lifetime <paramref name="lifetime"/> (default <see cref="CertificateAuthorityOptions.LeafLifetime"/>),
    /// capped by this CA's notAfter.
    /// </summary>
    public X509Svid Issue(SpiffeId id, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!id.IsMemberOf(TrustDomain))
        {
            throw new ArgumentException($"This CA issues SVIDs for trust domain '{TrustDomain}', not for {id}.");
        }
        if (id.Path.Length == 0)
        {
            throw new ArgumentException($"A leaf SVID needs a SPIFFE ID with a path; {id} has none.");
        }
        using var key = CreateKey(_options.KeyAlgorithm);
        var request = CreateRequest(new X500DistinguishedName(""), key);
        var usages = X509KeyUsageFlags.DigitalSignature | (key is RSA ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.None);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usages, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "serverAuth"), new Oid("1.3.6.1.5.5.7.3.2", "clientAuth")], critical: false));
        // The subject is empty, so RFC 5280 §4.1.2.6 requires the SAN to be critical.
        request.CertificateExtensions.Add(UriSan(id, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var leaf = Sign(request, lifetime ?? _options.LeafLifetime);
        return X509Svid.FromCertificates(CertificateKeys.Attach(leaf, key), ChainAboveLeaf);
    }

    /// <summary>Wraps certificates loaded from files (see <see cref="CertificateAuthorityFiles"/>).</summary>
    internal static CertificateAuthority FromCertificates(X509Certificate2 certificateWithKey, IReadOnlyList<X509Certificate2> issuers, X509Certificate2 root,
        CertificateAuthorityOptions? options, TimeProvider? timeProvider)
    {
        // A signing certificate's SPIFFE ID has no path, which the leaf rules report as MissingPath.
        var idResult = SvidRules.ReadSpiffeId(certificateWithKey);
        if (idResult.Failure is not (SvidFailure.MissingPath or SvidFailure.None) || idResult.Id is null)
        {
            throw new ArgumentException($"The CA certificate '{certificateWithKey.Subject}' has no trust domain SPIFFE ID: {idResult.Detail}");
        }
        return new CertificateAuthority(certificateWithKey, issuers, root, idResult.Id.TrustDomain, options ?? new CertificateAuthorityOptions(), timeProvider ?? TimeProvider.System);
    }

    private X509Certificate2 Sign(CertificateRequest request, TimeSpan lifetime)
    {
        var now = _timeProvider.GetUtcNow();
        // A certificate never outlives its issuer, nor starts before it (the BCL refuses both).
        var notBefore = Max(now - _options.Backdate, new DateTimeOffset(Certificate.NotBefore));
        var notAfter = Min(now + lifetime, new DateTimeOffset(Certificate.NotAfter));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        return request.Create(Certificate, notBefore, notAfter, NewSerialNumber());
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static CertificateRequest CreateSigningRequest(string subject, AsymmetricAlgorithm key, TrustDomain trustDomain)
    {
        var request = CreateRequest(new X500DistinguishedName(subject), key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        // A signing certificate's SPIFFE ID is its trust domain's, without a path (X509-SVID.md §3.2).
        request.CertificateExtensions.Add(UriSan(SpiffeId.FromPath(trustDomain, ""), critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    private static CertificateRequest CreateRequest(X500DistinguishedName subject, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new NotSupportedException(key.GetType().Name),
    };

    // BouncyCastle encodes the SAN: the BCL's SubjectAlternativeNameBuilder goes through System.Uri, which turns
    // "spiffe://td" into "spiffe://td/", an invalid SPIFFE ID.
    private static X509Extension UriSan(SpiffeId id, bool critical)
    {
        var names = new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, id.ToString()));
        return new X509Extension(SubjectAlternativeNameOid, names.GetDerEncoded(), critical);
    }

    private static AsymmetricAlgorithm CreateKey(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeyAlgorithm.Rsa2048 => RSA.Create(2048),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    private static byte[] NewSerialNumber()
    {
        // 16 random bytes, first bit cleared so the DER INTEGER is positive (RFC 5280 §4.1.2.2).
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }
}
