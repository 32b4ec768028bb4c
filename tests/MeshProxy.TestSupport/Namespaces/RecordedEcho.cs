using System.Net;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>One connection a <see cref="RecordingEchoServer"/> accepted: who connected, to which address.</summary>
public sealed record RecordedEcho(IPEndPoint Peer, IPEndPoint Local);
