namespace MeshProxy.LoadBalancing;

/// <summary>
/// Picks a locality of one priority by effective weight (Envoy's LocalityWrr): an EDF schedule over
/// weight × min(1, OPF/100 × eligible/hosts), in doubles as Envoy's effectiveLocalityWeight computes it. One for the
/// healthy hosts and one for the degraded hosts of each priority. Thread-safe: a pick takes a short lock.
/// </summary>
internal sealed class LocalityScheduler
{
    private readonly EdfScheduler _scheduler;
    private readonly Lock _lock = new();

    private LocalityScheduler(double[] effectiveWeights, int initialPicks)
    {
        EffectiveWeights = effectiveWeights;
        _scheduler = new EdfScheduler(effectiveWeights);
        // Envoy starts each scheduler at a seed-chosen offset so that proxies do not move in lockstep.
        for (var i = 0; i < initialPicks; i++)
        {
            _scheduler.PickAndAdd();
        }
    }

    /// <summary>Each locality's effective weight; a locality at 0 is never picked.</summary>
    public double[] EffectiveWeights { get; }

    /// <summary>
    /// A scheduler for the healthy (or degraded) hosts of a priority, or null when no locality has an eligible host,
    /// in which case Envoy falls back to the priority's flat host list.
    /// </summary>
    public static LocalityScheduler? Create(HostSet hosts, bool degraded, int overprovisioningFactor, ulong seed)
    {
        if ((degraded ? hosts.Degraded : hosts.Healthy).Length == 0)
        {
            return null;
        }
        var weights = new double[hosts.Localities.Length];
        var any = false;
        for (var i = 0; i < weights.Length; i++)
        {
            var locality = hosts.Localities[i];
            var eligible = degraded ? locality.Degraded.Length : locality.Healthy.Length;
            weights[i] = EffectiveWeight(locality.Weight, eligible, locality.Hosts.Length - locality.ExcludedCount, overprovisioningFactor);
            any |= weights[i] > 0;
        }
        return any ? new LocalityScheduler(weights, (int)(seed % (ulong)weights.Length)) : null;
    }

    /// <summary>Envoy's effectiveLocalityWeight: weight × min(1.0, (OPF / 100.0) × eligible / hosts); 0 with no hosts.</summary>
    public static double EffectiveWeight(int weight, int eligibleHosts, int countedHosts, int overprovisioningFactor)
    {
        if (countedHosts <= 0)
        {
            return 0.0;
        }
        var ratio = 1.0 * eligibleHosts / countedHosts;
        return weight * Math.Min(1.0, overprovisioningFactor / 100.0 * ratio);
    }

    public int Pick()
    {
        lock (_lock)
        {
            return _scheduler.PickAndAdd();
        }
    }

    /// <summary>The long-run share of each locality: its effective weight over their sum.</summary>
    public void WriteShares(Span<double> shares)
    {
        var total = EffectiveWeights.Sum();
        for (var i = 0; i < shares.Length; i++)
        {
            shares[i] = EffectiveWeights[i] / total;
        }
    }
}
