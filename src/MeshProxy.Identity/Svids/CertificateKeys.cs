using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshProxy.Identity.Svids;

/// <summary>Attaches and exports the ECDSA or RSA private key of a certificate (the two algorithms supported).</summary>
internal static class CertificateKeys
{
    /// <summary>A copy of <paramref name="certificate"/> with <paramref name="key"/>; throws when the key does not match.</summary>
    public static X509Certificate2 Attach(X509Certificate2 certificate, AsymmetricAlgorithm key) => key switch
    {
        ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        _ => throw new NotSupportedException($"Key algorithm {key.GetType().Name} is not supported (RSA and ECDSA are)."),
    };

    /// <summary>The certificate's private key as unencrypted PKCS#8 PEM.</summary>
    public static string ExportPkcs8Pem(X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException($"The certificate '{certificate.Subject}' has no ECDSA or RSA private key.");
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }
}
