using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's ThreadAwareLoadBalancerBase for ringHash and maglev: the request's hash (a random value without one)
/// chooses the priority with hash % 100 + 1 and then the host on that priority's ring or table, built over its
/// healthy hosts, or all hosts when it is in panic. Degraded hosts are never on a ring and zone-aware routing does not
/// apply, as in Envoy. Retries keep the hash and step away from the first host.
/// </summary>
internal sealed class HashingLoadBalancerSnapshot : LoadBalancerSnapshot
{
    private readonly HostSource[] _sources;

    public HashingLoadBalancerSnapshot(PrioritySet hosts, PriorityLoads loads, LoadBalancerStats stats, HostSource[] sources)
        : base(hosts, loads, stats, localClusterVersion: 0)
    {
        _sources = sources;
    }

    /// <summary>
    /// Envoy's normalizeWeights: each host's share of its priority, weight / Σ weights, or with locality weights
    /// (locality weight / Σ locality weights) × (weight / Σ weights in its locality); zero-weight localities are left out.
    /// </summary>
    public static (EndpointState[] Hosts, double[] Weights) Normalize(HostSet set, bool inPanic, bool localityWeighted)
    {
        var hosts = new List<EndpointState>();
        var weights = new List<double>();
        if (!localityWeighted)
        {
            AddLocality(inPanic ? set.Hosts : set.Healthy, 1.0);
            return (hosts.ToArray(), weights.ToArray());
        }
        var localityTotal = set.Localities.Sum(l => (long)l.Weight);
        foreach (var locality in set.Localities)
        {
            if (locality.Weight != 0)
            {
                AddLocality(inPanic ? locality.Hosts : locality.Healthy, (double)locality.Weight / localityTotal);
            }
        }
        return (hosts.ToArray(), weights.ToArray());

        void AddLocality(EndpointState[] members, double localityShare)
        {
            var total = members.Sum(h => (long)h.Weight);
            foreach (var host in members)
            {
                hosts.Add(host);
                weights.Add(host.Weight * localityShare / total);
            }
        }
    }

    public override EndpointState? Pick(in LoadBalancerContext context)
    {
        var hash = context.HashKey ?? context.NextRandom();
        var priority = PriorityChooser.Choose(hash, Loads).Priority;
        if (Loads.Panic[priority])
        {
            Stats.OnHealthyPanic();
        }
        var picker = _sources[priority].Picker;
        EndpointState? host = null;
        for (var attempt = 0; attempt <= context.HostSelectionRetryCount; attempt++)
        {
            host = picker.Pick(context, hash, attempt);
            if (context.Accepts(host))
            {
                return host;
            }
        }
        return host;
    }

    public override void AccumulateShares(TrafficShareAccumulator shares)
    {
        for (var p = 0; p < _sources.Length; p++)
        {
            _sources[p].AddShares(shares, (Loads.HealthyLoad[p] + Loads.DegradedLoad[p]) / 100.0);
        }
    }
}
