using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's ZoneAwareLoadBalancerBase for roundRobin, leastRequest and random: per pick, choose a priority with
/// random % 100 + 1; a priority in panic uses all its hosts (or none with failTrafficOnPanic); otherwise pick a
/// locality (weighted, or zone-aware on P0) or use the priority's flat healthy or degraded hosts; then the picker.
/// </summary>
internal sealed class ZoneAwareLoadBalancerSnapshot : LoadBalancerSnapshot
{
    private readonly PrioritySources[] _sources;
    private readonly ZoneRouting _zoneRouting;
    private readonly bool _localClusterInPanic;
    private readonly bool _localityWeighted;
    private readonly bool _failTrafficOnPanic;
    private readonly ulong _routingEnabled;

    public ZoneAwareLoadBalancerSnapshot(PrioritySet hosts, PriorityLoads loads, LoadBalancerStats stats, int localClusterVersion,
        PrioritySources[] sources, ZoneRouting zoneRouting, bool localClusterInPanic, LoadBalancerConfig config)
        : base(hosts, loads, stats, localClusterVersion)
    {
        _sources = sources;
        _zoneRouting = zoneRouting;
        _localClusterInPanic = localClusterInPanic;
        _localityWeighted = config.LocalityLb == LocalityLbMode.LocalityWeighted;
        _failTrafficOnPanic = config.FailTrafficOnPanic;
        _routingEnabled = (ulong)(config.ZoneAware ?? ZoneAwareConfig.Default).RoutingEnabled;
    }

    public ZoneRouting ZoneRouting => _zoneRouting;

    public override EndpointState? Pick(in LoadBalancerContext context)
    {
        EndpointState? host = null;
        for (var attempt = 0; attempt <= context.HostSelectionRetryCount; attempt++)
        {
            host = PickOnce(context, attempt);
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
            AccumulateShares(shares, p, degraded: false, Loads.HealthyLoad[p] / 100.0);
            AccumulateShares(shares, p, degraded: true, Loads.DegradedLoad[p] / 100.0);
        }
    }

    private EndpointState? PickOnce(in LoadBalancerContext context, int attempt)
    {
        var hash = context.NextRandom();
        var (priority, degraded) = PriorityChooser.Choose(hash, Loads);
        var sources = _sources[priority];
        HostSource? source;
        if (Loads.Panic[priority])
        {
            Stats.OnHealthyPanic();
            source = _failTrafficOnPanic ? null : sources.All;
        }
        else if (_localityWeighted && sources.Localities(degraded) is { } scheduler)
        {
            source = sources.Locality(degraded, scheduler.Pick());
        }
        else if (priority != 0 || _zoneRouting.State == LocalityRoutingState.NoLocalityRouting || context.NextRandom() % 100 >= _routingEnabled)
        {
            source = sources.Flat(degraded);
        }
        else if (_localClusterInPanic)
        {
            Stats.OnLocalClusterNotOk();
            source = _failTrafficOnPanic ? null : sources.Flat(degraded);
        }
        else
        {
            source = sources.Locality(degraded, _zoneRouting.ChooseLocality(context, Stats));
        }
        return source?.Picker.Pick(context, hash, attempt);
    }

    private void AccumulateShares(TrafficShareAccumulator shares, int priority, bool degraded, double load)
    {
        if (load <= 0)
        {
            return;
        }
        var sources = _sources[priority];
        if (Loads.Panic[priority])
        {
            AddOrFail(sources.All, load);
            return;
        }
        if (_localityWeighted && sources.Localities(degraded) is { } scheduler)
        {
            AddPerLocality(scheduler.WriteShares, load);
            return;
        }
        if (priority != 0 || _zoneRouting.State == LocalityRoutingState.NoLocalityRouting)
        {
            sources.Flat(degraded).AddShares(shares, load);
            return;
        }
        var zoneRouted = load * _routingEnabled / 100.0;
        sources.Flat(degraded).AddShares(shares, load - zoneRouted);
        if (_localClusterInPanic)
        {
            AddOrFail(sources.Flat(degraded), zoneRouted);
            return;
        }
        AddPerLocality(_zoneRouting.WriteLocalityShares, zoneRouted);

        void AddOrFail(HostSource source, double share)
        {
            if (_failTrafficOnPanic)
            {
                shares.Unrouted += share;
            }
            else
            {
                source.AddShares(shares, share);
            }
        }

        void AddPerLocality(SpanAction writeShares, double share)
        {
            var split = new double[sources.LocalityCount];
            writeShares(split);
            for (var i = 0; i < split.Length; i++)
            {
                sources.Locality(degraded, i).AddShares(shares, share * split[i]);
            }
        }
    }

    private delegate void SpanAction(Span<double> shares);
}
