using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Svids;

namespace MeshProxy.Identity.Authority;

/// <summary>
/// The on-disk layout of the built-in CA and of the SVIDs it issues (all PEM, keys PKCS#8 and mode 0600):
/// a CA folder holds <c>ca.pem</c> (this CA, then the intermediates above it, root excluded), <c>ca-key.pem</c>
/// and <c>root.pem</c>; an SVID folder holds <c>svid.pem</c> (leaf, then intermediates), <c>svid-key.pem</c>,
/// <c>bundle.pem</c> (the root) and <c>bundle.json</c> (the same bundle in SPIFFE format).
/// </summary>
public static class CertificateAuthorityFiles
{
    /// <summary>The CA's certificate chain file.</summary>
    public const string CaCertificate = "ca.pem";

    /// <summary>The CA's private key file.</summary>
    public const string CaKey = "ca-key.pem";

    /// <summary>The root certificate file.</summary>
    public const string Root = "root.pem";

    /// <summary>An SVID's certificate chain file.</summary>
    public const string SvidCertificate = "svid.pem";

    /// <summary>An SVID's private key file.</summary>
    public const string SvidKey = "svid-key.pem";

    /// <summary>The trust bundle (PEM) written beside an SVID.</summary>
    public const string BundlePem = "bundle.pem";

    /// <summary>The trust bundle (SPIFFE JSON) written beside an SVID.</summary>
    public const string BundleJson = "bundle.json";

    /// <summary>Writes <paramref name="authority"/> into <paramref name="directory"/>, creating it.</summary>
    public static void Write(CertificateAuthority authority, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CaCertificate), CertificatePem.Write([authority.Certificate, .. authority.Issuers]));
        WritePrivate(Path.Combine(directory, CaKey), CertificateKeys.ExportPkcs8Pem(authority.Certificate));
        File.WriteAllText(Path.Combine(directory, Root), authority.Root.ExportCertificatePem() + "\n");
    }

    /// <summary>Loads a CA written by <see cref="Write"/>. Throws <see cref="IOException"/>, <see cref="CryptographicException"/> or <see cref="ArgumentException"/>.</summary>
    public static CertificateAuthority Read(string directory, CertificateAuthorityOptions? options = null, TimeProvider? timeProvider = null)
    {
        var chainPem = ReadText(directory, CaCertificate);
        var chain = CertificateDecoder.ReadPem(chainPem);
        if (chain.Count == 0)
        {
            throw new CryptographicException($"{Path.Combine(directory, CaCertificate)} holds no certificate.");
        }
        var roots = CertificateDecoder.ReadPem(ReadText(directory, Root));
        if (roots.Count != 1)
        {
            throw new CryptographicException($"{Path.Combine(directory, Root)} must hold exactly one certificate.");
        }
        var certificate = X509Certificate2.CreateFromPem(chainPem, ReadText(directory, CaKey));
        return CertificateAuthority.FromCertificates(certificate, chain[1..], roots[0], options, timeProvider);
    }

    /// <summary>Writes an SVID and its trust bundle into <paramref name="directory"/>, creating it.</summary>
    public static void WriteSvid(X509Svid svid, CertificateAuthority issuer, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, SvidCertificate), svid.ExportChainPem());
        WritePrivate(Path.Combine(directory, SvidKey), svid.ExportKeyPem());
        var bundle = issuer.Bundle;
        File.WriteAllText(Path.Combine(directory, BundlePem), bundle.ToPem());
        File.WriteAllText(Path.Combine(directory, BundleJson), bundle.ToSpiffeBundleJson());
    }

    private static string ReadText(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        return File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"{path} does not exist.", path);
    }

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
