namespace MeshProxy.LoadBalancing;

/// <summary>Envoy's choosePriority: h = hash % 100 + 1, walk the healthy loads, then the degraded loads.</summary>
internal static class PriorityChooser
{
    /// <returns>The priority, and whether its degraded hosts (rather than healthy ones) are to be used.</returns>
    public static (int Priority, bool Degraded) Choose(ulong hash, PriorityLoads loads)
    {
        var h = (int)(hash % 100) + 1;
        var cumulative = 0;
        for (var p = 0; p < loads.Count; p++)
        {
            cumulative += loads.HealthyLoad[p];
            if (h <= cumulative)
            {
                return (p, false);
            }
        }
        for (var p = 0; p < loads.Count; p++)
        {
            cumulative += loads.DegradedLoad[p];
            if (h <= cumulative)
            {
                return (p, true);
            }
        }
        // The loads always add up to 100; Envoy falls back to P0 healthy too.
        return (0, false);
    }
}
