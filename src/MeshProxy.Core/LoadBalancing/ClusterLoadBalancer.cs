using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// A cluster's load balancer with Envoy's semantics: priority (loads, degraded, panic) → locality (weighted or
/// zone-aware) → endpoint picker. It works on an immutable snapshot of its endpoints that <see cref="Refresh"/>
/// rebuilds at once after a health change; a pick reads the current snapshot, is thread-safe, allocates nothing,
/// and costs O(1) for the priority and picker steps (O(log L) under a short lock for a weighted locality step).
/// </summary>
public sealed class ClusterLoadBalancer
{
    private readonly EndpointState[] _endpoints;
    private readonly Lock _refreshLock = new();
    private readonly ulong _seed;
    private volatile LoadBalancerSnapshot _snapshot;
    private volatile ClusterLoadBalancer? _localCluster;
    private LocalityConfig _clientLocality = LocalityConfig.None;
    private int _version;

    /// <param name="seed">A random value that sets where round-robin cycles start, so proxies do not move in lockstep.</param>
    public ClusterLoadBalancer(IReadOnlyList<EndpointState> endpoints, string policy, LoadBalancerConfig config, ulong seed)
    {
        _endpoints = endpoints.ToArray();
        Policy = policy;
        Config = config;
        _seed = seed;
        _snapshot = Build();
    }

    public IReadOnlyList<EndpointState> Endpoints => _endpoints;

    public string Policy { get; }

    public LoadBalancerConfig Config { get; }

    public LoadBalancerStats Stats { get; } = new();

    /// <summary>This proxy's locality, which locality priorities, distribute and zone-aware routing compare with.</summary>
    public LocalityConfig ClientLocality => _clientLocality;

    /// <summary>Increases with every rebuild; clusters that use this one as their local cluster watch it.</summary>
    public int Version => Volatile.Read(ref _version);

    internal LoadBalancerSnapshot Snapshot => _snapshot;

    /// <summary>
    /// Sets where this proxy runs and which cluster holds its own service's instances (Envoy's local cluster, for
    /// zone-aware routing), then rebuilds. A local cluster's later health changes are picked up on the next pick.
    /// </summary>
    public void SetLocality(LocalityConfig clientLocality, ClusterLoadBalancer? localCluster)
    {
        lock (_refreshLock)
        {
            _clientLocality = clientLocality;
            _localCluster = localCluster;
            _snapshot = Build();
        }
    }

    /// <summary>Recomputes priorities, loads, panic, localities and pickers from the endpoints' current health.</summary>
    public void Refresh()
    {
        lock (_refreshLock)
        {
            _snapshot = Build();
        }
    }

    /// <summary>Picks an endpoint for a request or connection; null when there is none (503, Envoy's UH flag).</summary>
    public EndpointState? Pick(in LoadBalancerContext context)
    {
        var snapshot = _snapshot;
        if (_localCluster is { } local && local.Version != snapshot.LocalClusterVersion)
        {
            snapshot = RefreshIfStale(local);
        }
        return snapshot.Pick(context);
    }

    /// <summary>The exact share of requests each priority, locality and endpoint gets right now.</summary>
    public TrafficReport DescribeTraffic()
    {
        var snapshot = _snapshot;
        var shares = new TrafficShareAccumulator();
        snapshot.AccumulateShares(shares);
        var loads = snapshot.Loads;
        var priorities = snapshot.Hosts.Priorities.Select(set =>
        {
            var localities = set.Localities.Select(l => new TrafficReport.LocalityTraffic(
                l.Locality,
                l.Weight,
                l.Hosts.Sum(shares.ShareOf),
                l.Hosts.Select(h => new TrafficReport.EndpointTraffic(h, h.CoarseHealth, h.Excluded, shares.ShareOf(h))).ToArray())).ToArray();
            var p = set.Priority;
            return new TrafficReport.PriorityTraffic(p, loads.HealthyLoad[p] + loads.DegradedLoad[p], loads.HealthyLoad[p], loads.DegradedLoad[p],
                set.Hosts.Sum(shares.ShareOf), loads.Health[p], loads.Degraded[p], loads.Panic[p],
                set.Hosts.Length, set.Healthy.Length, set.Degraded.Length, set.Excluded.Length, localities);
        }).ToArray();
        return new TrafficReport(Policy, loads.NormalizedTotalAvailability, loads.TotalPanic, priorities, shares.Unrouted);
    }

    private LoadBalancerSnapshot RefreshIfStale(ClusterLoadBalancer local)
    {
        lock (_refreshLock)
        {
            if (local.Version != _snapshot.LocalClusterVersion)
            {
                _snapshot = Build();
            }
            return _snapshot;
        }
    }

    private LoadBalancerSnapshot Build()
    {
        Interlocked.Increment(ref _version);
        var local = _localCluster;
        var localView = local is null ? null : LocalClusterView.Build(local.Endpoints, _clientLocality);
        return LoadBalancerSnapshotBuilder.Build(_endpoints, Policy, Config, _clientLocality, localView, local?.Version ?? 0, _seed, Stats);
    }
}
