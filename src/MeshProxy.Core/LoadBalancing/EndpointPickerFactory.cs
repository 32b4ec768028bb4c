namespace MeshProxy.LoadBalancing;

/// <summary>Creates the endpoint picker a cluster's lbPolicy names.</summary>
public static class EndpointPickerFactory
{
    public static IEndpointPicker Create(string policy) => policy switch
    {
        LoadBalancingPolicies.Random => new RandomEndpointPicker(),
        _ => new RoundRobinEndpointPicker(),
    };
}
