using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>A uniformly random endpoint.</summary>
internal sealed class RandomEndpointPicker : IEndpointPicker
{
    public EndpointState? Pick(IReadOnlyList<EndpointState> endpoints, Random random)
        => endpoints.Count == 0 ? null : endpoints[random.Next(endpoints.Count)];
}
