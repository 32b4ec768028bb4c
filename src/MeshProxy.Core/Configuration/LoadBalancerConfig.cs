using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// How a cluster spreads requests over priorities, localities and endpoints, with Envoy's semantics
/// (CommonLbConfig, ClusterLoadAssignment.Policy, the policies' own configs) and Istio's locality settings
/// (localityLbSetting: failoverPriority, distribute). Every field is optional; docs/load-balancing.md has the formulas.
/// </summary>
public sealed record LoadBalancerConfig
{
    public static LoadBalancerConfig Default { get; } = new();

    /// <summary>
    /// Overprovisioning factor in percent: a priority or locality counts as fully available while
    /// healthy% × factor / 100 ≥ 100. Default 140 (Envoy's, so 72% healthy still takes all traffic).
    /// </summary>
    public int OverprovisioningFactor { get; init; } = 140;

    /// <summary>
    /// Healthy panic threshold in whole percent: below this share of healthy + degraded hosts a priority ignores
    /// health and uses all its hosts. 0 disables panic. Default 50.
    /// </summary>
    public int PanicThreshold { get; init; } = 50;

    /// <summary>In panic, fail the request (503, no healthy upstream) instead of using all hosts. Default false.</summary>
    public bool FailTrafficOnPanic { get; init; }

    /// <summary>Judge priority health by endpoint weights rather than endpoint counts. Default false.</summary>
    public bool WeightedPriorityHealth { get; init; }

    /// <summary>How a locality is chosen inside a priority. Default: none (the picker sees the whole priority).</summary>
    public LocalityLbMode LocalityLb { get; init; } = LocalityLbMode.None;

    /// <summary>Zone-aware routing knobs; only with <see cref="LocalityLb"/> zoneAware. Null: the defaults.</summary>
    public ZoneAwareConfig? ZoneAware { get; init; }

    /// <summary>Priorities derived from this proxy's locality (Istio locality failover). Null: off.</summary>
    public LocalityPrioritiesConfig? LocalityPriorities { get; init; }

    /// <summary>Istio's locality weight distribution; the first entry whose from matches this proxy applies. Default: none.</summary>
    public EquatableArray<LocalityDistributeConfig> Distribute { get; init; } = EquatableArray<LocalityDistributeConfig>.Empty;

    /// <summary>Least-request picker knobs; only with lbPolicy leastRequest. Null: the defaults.</summary>
    public LeastRequestConfig? LeastRequest { get; init; }

    /// <summary>What a request is hashed on; required by lbPolicy ringHash and maglev, refused by the others.</summary>
    public HashPolicyConfig? Hash { get; init; }

    /// <summary>Ring-hash picker knobs; only with lbPolicy ringHash. Null: the defaults.</summary>
    public RingHashConfig? RingHash { get; init; }

    /// <summary>Maglev picker knobs; only with lbPolicy maglev. Null: the defaults.</summary>
    public MaglevConfig? Maglev { get; init; }
}

/// <summary>How a locality is chosen inside the chosen priority.</summary>
public enum LocalityLbMode
{
    /// <summary>No locality step: the picker sees every host of the priority.</summary>
    None,

    /// <summary>Localities by weight × availability, smoothly interleaved (Envoy's locality_weighted_lb_config).</summary>
    LocalityWeighted,

    /// <summary>Keep traffic in this proxy's zone as far as capacity allows (Envoy's zone_aware_lb_config); needs node.localCluster.</summary>
    ZoneAware,
}

/// <summary>Zone-aware routing knobs (Envoy's ZoneAwareLbConfig).</summary>
public sealed record ZoneAwareConfig
{
    public static ZoneAwareConfig Default { get; } = new();

    /// <summary>Percent of requests that are routed zone-aware at all, 0 to 100. Default 100.</summary>
    public int RoutingEnabled { get; init; } = 100;

    /// <summary>Fewest healthy priority-0 hosts for zone-aware routing to apply. Default 6.</summary>
    public int MinClusterSize { get; init; } = 6;
}

/// <summary>Priorities computed from this proxy's locality or labels instead of the configured ones (Istio).</summary>
public sealed record LocalityPrioritiesConfig
{
    /// <summary>
    /// Whether derived priorities replace the configured ones: same region/zone/subzone P0, same region/zone P1,
    /// same region P2, others P3, then compacted without gaps. Default false.
    /// </summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// Istio's failoverPriority: label keys compared between this proxy and each endpoint, in order; all match → P0,
    /// all but the last → P1, … none → P(N). "key=value" compares the endpoint with the literal value. Default: none,
    /// which uses the region/zone/subzone rule.
    /// </summary>
    public EquatableArray<string> FailoverPriority { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>One Istio distribute rule: from this proxy's locality pattern, the percent each locality pattern gets.</summary>
public sealed record LocalityDistributeConfig
{
    /// <summary>A locality pattern ("region/zone/subzone", a trailing "*" matches any) this proxy must match.</summary>
    public required string From { get; init; }

    /// <summary>Locality pattern → percent of traffic; the percents add up to 100. Localities matched by none get nothing.</summary>
    public EquatableArray<KeyValuePair<string, int>> To { get; init; } = EquatableArray<KeyValuePair<string, int>>.Empty;
}

/// <summary>Least-request picker knobs (Envoy's LeastRequest).</summary>
public sealed record LeastRequestConfig
{
    public static LeastRequestConfig Default { get; } = new();

    /// <summary>How many random hosts are compared when weights are equal, at least 2. Default 2 (power of two choices).</summary>
    public int ChoiceCount { get; init; } = 2;

    /// <summary>With unequal weights a host's weight is weight / (active requests + 1)^bias. Default 1.0.</summary>
    public double ActiveRequestBias { get; init; } = 1.0;
}

/// <summary>What a request is hashed on for ringHash and maglev; exactly one is set (Envoy's hash_policy).</summary>
public sealed record HashPolicyConfig
{
    /// <summary>A request header whose value is hashed. Default: none.</summary>
    public string? Header { get; init; }

    /// <summary>A cookie whose value is hashed. Default: none.</summary>
    public string? Cookie { get; init; }

    /// <summary>Hash the client's IP address (also works for TCP). Default false.</summary>
    public bool SourceIp { get; init; }
}

/// <summary>Ring-hash picker knobs (Envoy's RingHash).</summary>
public sealed record RingHashConfig
{
    public static RingHashConfig Default { get; } = new();

    /// <summary>Fewest entries on the ring. Default 1024.</summary>
    public int MinimumRingSize { get; init; } = 1024;

    /// <summary>Most entries on the ring. Default 8,388,608 (8M).</summary>
    public int MaximumRingSize { get; init; } = 8 * 1024 * 1024;
}

/// <summary>Maglev picker knobs (Envoy's Maglev).</summary>
public sealed record MaglevConfig
{
    public static MaglevConfig Default { get; } = new();

    /// <summary>Lookup table size; must be prime. Default 65537.</summary>
    public int TableSize { get; init; } = 65537;
}
