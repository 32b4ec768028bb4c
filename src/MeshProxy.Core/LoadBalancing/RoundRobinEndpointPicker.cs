using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>Each endpoint in turn.</summary>
internal sealed class RoundRobinEndpointPicker : IEndpointPicker
{
    private uint _next;

    public EndpointState? Pick(IReadOnlyList<EndpointState> endpoints, Random random)
    {
        if (endpoints.Count == 0)
        {
            return null;
        }
        var index = Interlocked.Increment(ref _next) % (uint)endpoints.Count;
        return endpoints[(int)index];
    }
}
