namespace MeshProxy.LoadBalancing;

/// <summary>Names of the built-in endpoint pickers, as written in config.</summary>
public static class LoadBalancingPolicies
{
    /// <summary>Each endpoint in turn, weighted. Envoy's default (ROUND_ROBIN).</summary>
    public const string RoundRobin = "roundRobin";

    /// <summary>A uniformly random endpoint (RANDOM).</summary>
    public const string Random = "random";
}
