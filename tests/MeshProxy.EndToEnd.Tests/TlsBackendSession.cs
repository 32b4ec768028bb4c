using System.Net;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// One TLS session as the backend's end saw it: the server name the client sent, the client's SPIFFE ID when it
/// authenticated with a valid SVID, the negotiated ALPN protocol, and the handshake error if it failed.
/// </summary>
internal sealed record TlsBackendSession(string Backend, IPEndPoint Peer, string ServerName, string? ClientId, string Alpn, string? HandshakeError);
