namespace MeshProxy.LoadBalancing;

/// <summary>
/// The per-priority numbers Envoy derives on every host change (all in whole percent): availability,
/// the healthy and degraded load each priority receives (adding up to 100), and which priorities are in panic.
/// </summary>
internal sealed class PriorityLoads
{
    public PriorityLoads(int[] health, int[] degraded, int[] healthyLoad, int[] degradedLoad, bool[] panic, int normalizedTotalAvailability, bool totalPanic)
    {
        Health = health;
        Degraded = degraded;
        HealthyLoad = healthyLoad;
        DegradedLoad = degradedLoad;
        Panic = panic;
        NormalizedTotalAvailability = normalizedTotalAvailability;
        TotalPanic = totalPanic;
    }

    /// <summary>min(100, OPF × healthy / hosts), integer division: how available each priority's healthy hosts are.</summary>
    public int[] Health { get; }

    /// <summary>The same for degraded hosts.</summary>
    public int[] Degraded { get; }

    /// <summary>Percent of requests sent to each priority's healthy hosts.</summary>
    public int[] HealthyLoad { get; }

    /// <summary>Percent of requests sent to each priority's degraded hosts (only after every healthy load).</summary>
    public int[] DegradedLoad { get; }

    /// <summary>Whether each priority is in panic and so uses all its hosts.</summary>
    public bool[] Panic { get; }

    /// <summary>min(100, Σ health + Σ degraded).</summary>
    public int NormalizedTotalAvailability { get; }

    /// <summary>Every priority is in panic, so the load is split by host count.</summary>
    public bool TotalPanic { get; }

    public int Count => HealthyLoad.Length;
}
