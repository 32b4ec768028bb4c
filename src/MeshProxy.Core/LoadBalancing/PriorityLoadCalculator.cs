namespace MeshProxy.LoadBalancing;

/// <summary>
/// Computes priority loads and panic exactly as Envoy's load_balancer_impl.cc does (recalculatePerPriorityState,
/// distributeLoad, recalculatePerPriorityPanic, recalculateLoadInTotalPanic, isHostSetInPanic), including its
/// unsigned integer truncation. Where Envoy's docs and code disagree this follows the code: the rounding remainder
/// goes to the first available priority (the doc's 7/93 is 8/92 here), and panic is judged on the raw
/// healthy + degraded percentage, not on the overprovisioned score.
/// </summary>
internal static class PriorityLoadCalculator
{
    public static PriorityLoads Compute(PrioritySet set, int overprovisioningFactor, int panicThreshold, bool weightedPriorityHealth)
    {
        var count = set.Count;
        var health = new int[count];
        var degraded = new int[count];
        var healthyLoad = new int[count];
        var degradedLoad = new int[count];
        var panic = new bool[count];

        for (var p = 0; p < count; p++)
        {
            (health[p], degraded[p]) = Availability(set[p], (ulong)overprovisioningFactor, weightedPriorityHealth);
        }

        var total = NormalizedTotalAvailability(health, degraded);
        if (total > 0)
        {
            var (firstHealthy, remaining) = DistributeLoad(healthyLoad, health, 100, total);
            var (firstDegraded, rounding) = DistributeLoad(degradedLoad, degraded, remaining, total);
            // What is left is rounding: the first priority with healthy hosts takes it, else the first with degraded ones.
            if (rounding != 0)
            {
                if (firstHealthy >= 0)
                {
                    healthyLoad[firstHealthy] += rounding;
                }
                else
                {
                    degradedLoad[firstDegraded] += rounding;
                }
            }
        }

        var threshold = Math.Min(100, panicThreshold);
        if (threshold == 0 && total == 0)
        {
            // Panic is off and nothing is available: Envoy gives P0 everything, and P0 has no host to pick (503 UH).
            Array.Clear(healthyLoad);
            Array.Clear(degradedLoad);
            healthyLoad[0] = 100;
            return new PriorityLoads(health, degraded, healthyLoad, degradedLoad, panic, total, totalPanic: false);
        }

        var totalPanic = true;
        for (var p = 0; p < count; p++)
        {
            panic[p] = total != 100 && IsInPanic(set[p].CountedHosts, set[p].Healthy.Length, set[p].Degraded.Length, threshold);
            totalPanic &= panic[p];
        }
        if (totalPanic)
        {
            SplitByHostCount(set, healthyLoad, degradedLoad);
        }
        return new PriorityLoads(health, degraded, healthyLoad, degradedLoad, panic, total, totalPanic);
    }

    /// <summary>
    /// Envoy's isHostSetInPanic: (healthy + degraded) / (hosts − excluded) in percent, as doubles, below the threshold.
    /// A priority with no counted hosts is at 0% and so in panic whenever the threshold is above 0.
    /// </summary>
    public static bool IsInPanic(int countedHosts, int healthy, int degraded, int panicThreshold)
    {
        var healthyPercent = countedHosts == 0 ? 0.0 : 100.0 * healthy / countedHosts;
        var degradedPercent = countedHosts == 0 ? 0.0 : 100.0 * degraded / countedHosts;
        return healthyPercent + degradedPercent < Math.Min(100, panicThreshold);
    }

    private static (int Health, int Degraded) Availability(HostSet hosts, ulong overprovisioningFactor, bool weighted)
    {
        if (hosts.CountedHosts <= 0)
        {
            return (0, 0);
        }
        ulong healthyWeight, degradedWeight, totalWeight;
        if (weighted)
        {
            healthyWeight = SumWeights(hosts.Healthy);
            degradedWeight = SumWeights(hosts.Degraded);
            totalWeight = SumWeights(hosts.Hosts) - SumWeights(hosts.Excluded);
        }
        else
        {
            healthyWeight = (ulong)hosts.Healthy.Length;
            degradedWeight = (ulong)hosts.Degraded.Length;
            totalWeight = (ulong)hosts.CountedHosts;
        }
        return ((int)Math.Min(100UL, overprovisioningFactor * healthyWeight / totalWeight),
                (int)Math.Min(100UL, overprovisioningFactor * degradedWeight / totalWeight));
    }

    private static ulong SumWeights(Upstream.EndpointState[] hosts)
    {
        ulong sum = 0;
        foreach (var host in hosts)
        {
            sum += (ulong)host.Weight;
        }
        return sum;
    }

    private static int NormalizedTotalAvailability(int[] health, int[] degraded)
    {
        long sum = 0;
        for (var p = 0; p < health.Length; p++)
        {
            sum += health[p] + degraded[p];
        }
        return (int)Math.Min(100, sum);
    }

    /// <summary>Envoy's distributeLoad: as much load as each level's availability allows, highest priority first.</summary>
    /// <returns>The first level with availability (or -1) and the load left over.</returns>
    private static (int FirstAvailable, int Remaining) DistributeLoad(int[] load, int[] availability, int totalLoad, int normalizedTotalAvailability)
    {
        var firstAvailable = -1;
        for (var p = 0; p < availability.Length; p++)
        {
            if (firstAvailable < 0 && availability[p] > 0)
            {
                firstAvailable = p;
            }
            load[p] = Math.Min(totalLoad, availability[p] * 100 / normalizedTotalAvailability);
            totalLoad -= load[p];
        }
        return (firstAvailable, totalLoad);
    }

    /// <summary>
    /// Envoy's recalculateLoadInTotalPanic: 100 × hosts(P) / all hosts, counting every host (excluded ones too);
    /// the remainder goes to the first non-empty priority; degraded loads are zero.
    /// </summary>
    private static void SplitByHostCount(PrioritySet set, int[] healthyLoad, int[] degradedLoad)
    {
        Array.Clear(degradedLoad);
        long totalHosts = 0;
        foreach (var priority in set.Priorities)
        {
            totalHosts += priority.Hosts.Length;
        }
        Array.Clear(healthyLoad);
        if (totalHosts == 0)
        {
            healthyLoad[0] = 100;
            return;
        }
        var remaining = 100;
        var firstNonEmpty = -1;
        for (var p = 0; p < set.Count; p++)
        {
            var hosts = set[p].Hosts.Length;
            if (firstNonEmpty < 0 && hosts != 0)
            {
                firstNonEmpty = p;
            }
            healthyLoad[p] = (int)(100L * hosts / totalHosts);
            remaining -= healthyLoad[p];
        }
        healthyLoad[firstNonEmpty] += remaining;
    }
}
