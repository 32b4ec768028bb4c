using MeshProxy.Configuration;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's zone-aware routing for priority 0 (regenerateLocalityRoutingStructures, earlyExitNonLocalityRouting,
/// calculateLocalityPercentages, tryChooseLocalLocalityHosts). Percentages are integers in 1/10000. The gates are the
/// code's, not the docs': the local and upstream clusters need not have the same number of zones.
/// </summary>
internal sealed class ZoneRouting
{
    public const ulong Scale = 10000;

    public static readonly ZoneRouting Disabled = new(LocalityRoutingState.NoLocalityRouting, 0, []);

    private ZoneRouting(LocalityRoutingState state, ulong localPercentToRoute, ulong[] residualCapacity)
    {
        State = state;
        LocalPercentToRoute = localPercentToRoute;
        ResidualCapacity = residualCapacity;
    }

    public LocalityRoutingState State { get; }

    /// <summary>In residual mode, the share of requests (of 10000) kept in the local zone.</summary>
    public ulong LocalPercentToRoute { get; }

    /// <summary>Cumulative spare capacity (of 10000) per upstream locality, for cross-zone sampling.</summary>
    public ulong[] ResidualCapacity { get; }

    public static ZoneRouting Plan(HostSet p0, LocalClusterView local, ZoneAwareConfig config, LoadBalancerStats stats)
    {
        stats.OnRecalculateZoneStructures();
        // Gates, in Envoy's order. Localities count whether or not they have healthy hosts.
        if (p0.Localities.Length < 2 || local.Localities.Length < 2)
        {
            return Disabled;
        }
        if (!local.HasLocalLocality || local.HostsPerLocality[0] == 0)
        {
            stats.OnLocalClusterNotOk();
            return Disabled;
        }
        if ((ulong)p0.Healthy.Length < (ulong)config.MinClusterSize)
        {
            stats.OnZoneClusterTooSmall();
            return Disabled;
        }

        var (localPercent, upstreamPercent) = Percentages(p0, local);
        if (p0.HasLocalLocality && upstreamPercent[0] > 0 && upstreamPercent[0] >= localPercent[0])
        {
            return new ZoneRouting(LocalityRoutingState.LocalityDirect, Scale, []);
        }

        var localPercentToRoute = p0.HasLocalLocality && localPercent[0] > 0 ? upstreamPercent[0] * Scale / localPercent[0] : 0;
        var residual = new ulong[upstreamPercent.Length];
        for (var i = 0; i < residual.Length; i++)
        {
            var previous = i > 0 ? residual[i - 1] : 0;
            var spare = (i == 0 && p0.HasLocalLocality) || upstreamPercent[i] <= localPercent[i] ? 0 : upstreamPercent[i] - localPercent[i];
            residual[i] = previous + spare;
        }
        return new ZoneRouting(LocalityRoutingState.LocalityResidual, localPercentToRoute, residual);
    }

    /// <summary>The locality index for one zone-routed request; counts the decision.</summary>
    public int ChooseLocality(in LoadBalancerContext context, LoadBalancerStats stats)
    {
        if (State == LocalityRoutingState.LocalityDirect)
        {
            stats.OnZoneRoutingAllDirectly();
            return 0;
        }
        if (context.NextRandom() % Scale < LocalPercentToRoute)
        {
            stats.OnZoneRoutingSampled();
            return 0;
        }
        stats.OnZoneRoutingCrossZone();
        var total = ResidualCapacity[^1];
        if (total == 0)
        {
            stats.OnZoneNoCapacityLeft();
            return (int)(context.NextRandom() % (ulong)ResidualCapacity.Length);
        }
        var threshold = context.NextRandom() % total;
        var index = 0;
        while (threshold >= ResidualCapacity[index])
        {
            index++;
        }
        return index;
    }

    /// <summary>The exact share of zone-routed requests each upstream locality receives.</summary>
    public void WriteLocalityShares(Span<double> shares)
    {
        shares.Clear();
        if (State == LocalityRoutingState.LocalityDirect)
        {
            shares[0] = 1;
            return;
        }
        var local = Math.Min(1.0, (double)LocalPercentToRoute / Scale);
        shares[0] += local;
        var total = ResidualCapacity[^1];
        for (var i = 0; i < shares.Length; i++)
        {
            var spare = total == 0 ? 1.0 / shares.Length : (double)(ResidualCapacity[i] - (i > 0 ? ResidualCapacity[i - 1] : 0)) / total;
            shares[i] += (1 - local) * spare;
        }
    }

    private static (ulong[] Local, ulong[] Upstream) Percentages(HostSet p0, LocalClusterView local)
    {
        ulong totalLocal = 0;
        var localCounts = new Dictionary<LocalityConfig, ulong>();
        for (var i = 0; i < local.Localities.Length; i++)
        {
            totalLocal += (ulong)local.HealthyPerLocality[i];
            if (local.HealthyPerLocality[i] > 0)
            {
                localCounts[local.Localities[i]] = (ulong)local.HealthyPerLocality[i];
            }
        }
        var totalUpstream = (ulong)p0.Healthy.Length;
        var localPercent = new ulong[p0.Localities.Length];
        var upstreamPercent = new ulong[p0.Localities.Length];
        for (var i = 0; i < p0.Localities.Length; i++)
        {
            var healthy = (ulong)p0.Localities[i].Healthy.Length;
            if (healthy == 0)
            {
                continue;
            }
            var localCount = localCounts.GetValueOrDefault(p0.Localities[i].Locality);
            localPercent[i] = totalLocal > 0 ? Scale * localCount / totalLocal : 0;
            upstreamPercent[i] = totalUpstream > 0 ? Scale * healthy / totalUpstream : 0;
        }
        return (localPercent, upstreamPercent);
    }
}
