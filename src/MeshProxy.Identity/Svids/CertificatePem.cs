using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MeshProxy.Identity.Svids;

/// <summary>Certificates as one PEM text, each followed by a newline: chains, bundles and CA files alike.</summary>
internal static class CertificatePem
{
    public static string Write(IEnumerable<X509Certificate2> certificates)
    {
        var pem = new StringBuilder();
        foreach (var certificate in certificates)
        {
            pem.Append(certificate.ExportCertificatePem()).Append('\n');
        }
        return pem.ToString();
    }
}
