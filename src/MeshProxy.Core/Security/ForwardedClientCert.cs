using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshProxy.Security;

/// <summary>
/// Envoy's x-forwarded-client-cert (XFCC) element for a client that authenticated with mTLS, as Istio's inbound
/// sidecar sets it: By (this proxy's SPIFFE ID), Hash (SHA-256 of the client's certificate), Subject and URI (the
/// client's SPIFFE ID). Built once per connection.
/// </summary>
public static class ForwardedClientCert
{
    public const string HeaderName = "x-forwarded-client-cert";

    public static string Format(string? localId, X509Certificate2 peerCertificate, string peerId)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(peerCertificate.RawDataMemory.Span));
        var subject = peerCertificate.SubjectName.Name.Replace("\"", "\\\"", StringComparison.Ordinal);
        var by = localId is null ? "" : $"By={localId};";
        return $"{by}Hash={hash};Subject=\"{subject}\";URI={peerId}";
    }
}
