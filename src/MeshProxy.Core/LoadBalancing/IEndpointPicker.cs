using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>Chooses one endpoint from a set; one instance per cluster, so it may keep state (a round-robin cursor).</summary>
public interface IEndpointPicker
{
    EndpointState? Pick(IReadOnlyList<EndpointState> endpoints, Random random);
}
