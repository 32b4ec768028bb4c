using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace MeshProxy.Listeners;

/// <summary>
/// Lets Kestrel serve h2c (HTTP/2 with prior knowledge) on a listener that also serves HTTP/1.1.
/// Kestrel 10 chooses HTTP/2 on such an endpoint only from TLS ALPN; once the sniffer has seen the HTTP/2
/// preface, this feature presents "h2" as the negotiated protocol. The listener sets
/// KestrelServerOptions.AllowAlternateSchemes so that the request keeps its real scheme ("http").
/// </summary>
internal sealed class PriorKnowledgeHttp2Feature : ITlsApplicationProtocolFeature, ITlsConnectionFeature
{
    public static PriorKnowledgeHttp2Feature Instance { get; } = new();

    public ReadOnlyMemory<byte> ApplicationProtocol => SslApplicationProtocol.Http2.Protocol;

    public X509Certificate2? ClientCertificate
    {
        get => null;
        set => throw new NotSupportedException("A cleartext connection has no client certificate.");
    }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
}
