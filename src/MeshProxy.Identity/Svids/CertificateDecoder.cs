using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;

namespace MeshProxy.Identity.Svids;

/// <summary>
/// Reads what the BCL cannot: the URI SANs of a certificate and runs of concatenated DER certificates (the
/// Workload API's encoding). BouncyCastle does the ASN.1; nothing here decodes bytes by hand.
/// </summary>
internal static class CertificateDecoder
{
    /// <summary>The URI SANs of <paramref name="certificate"/>; false when its SAN extension cannot be decoded.</summary>
    public static bool TryGetUriSans(X509Certificate2 certificate, out List<string> uris)
    {
        uris = [];
        try
        {
            var parsed = new X509CertificateParser().ReadCertificate(certificate.RawData);
            var names = parsed?.GetSubjectAlternativeNames();
            if (names is null)
            {
                return parsed is not null;
            }
            foreach (var name in names)
            {
                if (name is [int tag, string value] && tag == GeneralName.UniformResourceIdentifier)
                {
                    uris.Add(value);
                }
            }
            return true;
        }
        catch (Exception e) when (e is CertificateParsingException or CertificateException or ArgumentException or IOException or InvalidCastException)
        {
            return false;
        }
    }

    /// <summary>
    /// Splits concatenated DER certificates (leaf first for SVIDs). Throws <see cref="CryptographicException"/>
    /// when the bytes are not a run of certificates.
    /// </summary>
    public static List<X509Certificate2> ReadConcatenatedDer(ReadOnlySpan<byte> der)
    {
        var result = new List<X509Certificate2>();
        if (der.IsEmpty)
        {
            return result;
        }
        try
        {
            foreach (var certificate in new X509CertificateParser().ReadCertificates(der.ToArray()))
            {
                result.Add(X509CertificateLoader.LoadCertificate(certificate.GetEncoded()));
            }
        }
        catch (Exception e) when (e is CertificateParsingException or CertificateException or ArgumentException or IOException or InvalidCastException)
        {
            throw new CryptographicException("Not a run of DER certificates: " + e.Message, e);
        }
        if (result.Count == 0)
        {
            throw new CryptographicException("No DER certificate found.");
        }
        return result;
    }

    /// <summary>Every certificate in a PEM text, in order. Throws <see cref="CryptographicException"/> on a bad block.</summary>
    public static List<X509Certificate2> ReadPem(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return [.. collection];
    }
}
