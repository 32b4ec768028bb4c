using System.Net;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>One HTTP request a <see cref="RecordingHttpServer"/> received: who sent it, to which address, and its headers (names lower-cased).</summary>
public sealed record RecordedRequest(IPEndPoint Peer, IPEndPoint Local, string RequestLine, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The sidecar adds x-forwarded-proto to every request it forwards; a direct request has none.</summary>
    public bool CameThroughProxy => Headers.ContainsKey("x-forwarded-proto");
}
