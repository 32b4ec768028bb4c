using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Svids;

/// <summary>
/// This workload's X.509-SVID: the leaf certificate with its private key, the intermediates to present after it,
/// and the SPIFFE ID read from the leaf's URI SAN. Immutable. Old instances are never disposed on rotation:
/// handshakes in flight may still hold them, and the GC frees them afterwards.
/// </summary>
public sealed class X509Svid
{
    private SslStreamCertificateContext? _certificateContext;

    private X509Svid(SpiffeId id, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, string hint)
    {
        Id = id;
        Leaf = leaf;
        Intermediates = intermediates;
        Hint = hint;
    }

    /// <summary>The SPIFFE ID (the leaf's only URI SAN).</summary>
    public SpiffeId Id { get; }

    /// <summary>The leaf certificate, with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The certificates sent after the leaf, closest issuer first; empty when the leaf's issuer is a root.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>The Workload API's operator hint (e.g. <c>internal</c>); empty when none.</summary>
    public string Hint { get; }

    /// <summary>When the leaf expires.</summary>
    public DateTimeOffset NotAfter => new(Leaf.NotAfter);

    /// <summary>The leaf's serial number, hex (for logs).</summary>
    public string SerialNumber => Leaf.SerialNumber;

    /// <summary>
    /// The TLS certificate context (leaf + intermediates), built once per SVID and shared by every handshake that
    /// uses it, so a rotation takes effect at the next handshake.
    /// </summary>
    public SslStreamCertificateContext CertificateContext =>
        LazyInitializer.EnsureInitialized(ref _certificateContext,
            () => SslStreamCertificateContext.Create(Leaf, [.. Intermediates], offline: true));

    /// <summary>
    /// Loads an SVID from PEM: <paramref name="chainPem"/> holds the leaf first then intermediates,
    /// <paramref name="keyPem"/> a PKCS#8 (or SEC1 / PKCS#1) private key. Throws <see cref="SvidFormatException"/>.
    /// Only the form is checked here; <see cref="SvidValidator.ValidateOwn"/> checks the SVID rules.
    /// </summary>
    public static X509Svid FromPem(string chainPem, string keyPem)
    {
        List<X509Certificate2> chain;
        try
        {
            chain = CertificateDecoder.ReadPem(chainPem);
        }
        catch (CryptographicException e)
        {
            throw new SvidFormatException(SvidFailure.MalformedCertificate, "The certificate chain PEM cannot be read: " + e.Message, e);
        }
        return Create(chain, key => key.ImportFromPem(keyPem), hint: "");
    }

    /// <summary>
    /// Loads an SVID as the Workload API sends it: concatenated DER certificates (leaf first) and an unencrypted
    /// PKCS#8 DER key. Throws <see cref="SvidFormatException"/>.
    /// </summary>
    public static X509Svid FromDer(ReadOnlySpan<byte> chainDer, ReadOnlySpan<byte> pkcs8Key, string hint = "")
    {
        List<X509Certificate2> chain;
        try
        {
            chain = CertificateDecoder.ReadConcatenatedDer(chainDer);
        }
        catch (CryptographicException e)
        {
            throw new SvidFormatException(SvidFailure.MalformedCertificate, "The certificate chain DER cannot be read: " + e.Message, e);
        }
        var key = pkcs8Key.ToArray();
        return Create(chain, algorithm => algorithm.ImportPkcs8PrivateKey(key, out _), hint);
    }

    /// <summary>Wraps a leaf that already has its private key (the built-in CA's output).</summary>
    public static X509Svid FromCertificates(X509Certificate2 leafWithKey, IEnumerable<X509Certificate2> intermediates)
    {
        if (!leafWithKey.HasPrivateKey)
        {
            throw new SvidFormatException(SvidFailure.InvalidPrivateKey, "The leaf certificate has no private key.");
        }
        return new X509Svid(ReadId(leafWithKey), leafWithKey, [.. intermediates], hint: "");
    }

    /// <summary>The chain as PEM: the leaf, then the intermediates.</summary>
    public string ExportChainPem() => CertificatePem.Write([Leaf, .. Intermediates]);

    /// <summary>The private key as unencrypted PKCS#8 PEM.</summary>
    public string ExportKeyPem() => CertificateKeys.ExportPkcs8Pem(Leaf);

    public override string ToString() => $"{Id} (serial {SerialNumber}, expires {NotAfter:u})";

    private static X509Svid Create(List<X509Certificate2> chain, Action<AsymmetricAlgorithm> importKey, string hint)
    {
        if (chain.Count == 0)
        {
            throw new SvidFormatException(SvidFailure.NoCertificate, "The certificate chain is empty.");
        }
        var leaf = chain[0];
        var leafWithKey = AttachKey(leaf, importKey);
        return new X509Svid(ReadId(leaf), leafWithKey, chain[1..], hint);
    }

    private static X509Certificate2 AttachKey(X509Certificate2 leaf, Action<AsymmetricAlgorithm> importKey)
    {
        using var ecdsa = leaf.GetECDsaPublicKey();
        using var rsa = leaf.GetRSAPublicKey();
        using AsymmetricAlgorithm key = ecdsa is not null ? ECDsa.Create() : rsa is not null ? RSA.Create()
            : throw new SvidFormatException(SvidFailure.InvalidPrivateKey, $"The leaf key algorithm {leaf.GetKeyAlgorithm()} is not supported (RSA and ECDSA are).");
        try
        {
            importKey(key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new SvidFormatException(SvidFailure.InvalidPrivateKey, "The private key cannot be read as a " + (ecdsa is not null ? "ECDSA" : "RSA") + " key: " + e.Message, e);
        }
        try
        {
            return CertificateKeys.Attach(leaf, key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new SvidFormatException(SvidFailure.PrivateKeyMismatch, "The private key does not match the leaf certificate's public key.", e);
        }
    }

    private static SpiffeId ReadId(X509Certificate2 leaf)
    {
        var result = SvidRules.ReadSpiffeId(leaf);
        return result.Id is { } id && result.Failure == SvidFailure.None
            ? id
            : throw new SvidFormatException(result.Failure, "The leaf is not an SVID: " + result.Detail);
    }
}
