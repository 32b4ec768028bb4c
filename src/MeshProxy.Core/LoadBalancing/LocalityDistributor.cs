using MeshProxy.Configuration;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Istio's distribute (istiod applyLocalityWeights): the first rule whose from matches this proxy reweights the
/// locality groups. For each to-pattern in order, the groups it matches (not yet taken by an earlier pattern) share
/// its percent in proportion to their own weight, rounded up: ceil(weight × percent / Σ weights). Groups that no
/// pattern matches are dropped and get no traffic. Istio walks the to-map in Go's random map order; this walks it in
/// the order written, which only matters when patterns overlap.
/// </summary>
internal static class LocalityDistributor
{
    /// <param name="localities">The locality of each group.</param>
    /// <param name="weights">Each group's weight (the sum of its endpoint weights); replaced in place, 0 for a dropped group.</param>
    /// <returns>False when no rule applies to this proxy, so the weights are unchanged.</returns>
    public static bool Apply(IReadOnlyList<LocalityDistributeConfig> rules, LocalityConfig client, IReadOnlyList<LocalityConfig> localities, int[] weights)
    {
        foreach (var rule in rules)
        {
            if (!LocalityPattern.Matches(rule.From, client))
            {
                continue;
            }
            var original = (int[])weights.Clone();
            var taken = new bool[weights.Length];
            Array.Clear(weights);
            foreach (var (pattern, percent) in rule.To)
            {
                long total = 0;
                for (var g = 0; g < weights.Length; g++)
                {
                    if (!taken[g] && LocalityPattern.Matches(pattern, localities[g]))
                    {
                        taken[g] = true;
                        total += original[g];
                        weights[g] = -1;
                    }
                }
                for (var g = 0; g < weights.Length; g++)
                {
                    if (weights[g] == -1)
                    {
                        weights[g] = (int)Math.Ceiling((double)((long)original[g] * percent) / total);
                    }
                }
            }
            return true;
        }
        return false;
    }
}

