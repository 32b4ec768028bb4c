using MeshProxy.Configuration;

namespace MeshProxy.Http;

/// <summary>
/// The seam under YARP's forwarder: the HTTP engine that carries requests to a cluster's endpoints.
/// Routing, load balancing and resilience sit above it and never see which engine runs, so the default
/// (SocketsHttpHandler) can be tuned or replaced, for example by a pipelines-based HTTP/1.1 client.
/// </summary>
public interface IUpstreamHttpEngineFactory
{
    HttpMessageHandler CreateHandler(ClusterConfig cluster);
}
