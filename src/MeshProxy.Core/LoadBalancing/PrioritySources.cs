namespace MeshProxy.LoadBalancing;

/// <summary>
/// The host sources of one priority for the zone-aware family (Envoy's HostsSource kinds): all hosts, healthy,
/// degraded, and healthy or degraded per locality, each with its own picker, plus the locality schedulers used by
/// locality-weighted balancing.
/// </summary>
internal sealed class PrioritySources
{
    private readonly HostSource[] _healthyPerLocality;
    private readonly HostSource[] _degradedPerLocality;
    private readonly LocalityScheduler? _healthyLocalities;
    private readonly LocalityScheduler? _degradedLocalities;
    private readonly HostSource _healthy;
    private readonly HostSource _degraded;

    public PrioritySources(HostSet hosts, Func<Upstream.EndpointState[], HostSource> createSource, bool localityWeighted, int overprovisioningFactor, ulong seed)
    {
        All = createSource(hosts.Hosts);
        _healthy = createSource(hosts.Healthy);
        _degraded = createSource(hosts.Degraded);
        _healthyPerLocality = hosts.Localities.Select(l => createSource(l.Healthy)).ToArray();
        _degradedPerLocality = hosts.Localities.Select(l => createSource(l.Degraded)).ToArray();
        if (localityWeighted)
        {
            _healthyLocalities = LocalityScheduler.Create(hosts, degraded: false, overprovisioningFactor, seed);
            _degradedLocalities = LocalityScheduler.Create(hosts, degraded: true, overprovisioningFactor, seed);
        }
    }

    public HostSource All { get; }

    public int LocalityCount => _healthyPerLocality.Length;

    public HostSource Flat(bool degraded) => degraded ? _degraded : _healthy;

    public HostSource Locality(bool degraded, int index) => degraded ? _degradedPerLocality[index] : _healthyPerLocality[index];

    /// <summary>The locality scheduler, or null when there is none (no eligible host, or not locality-weighted).</summary>
    public LocalityScheduler? Localities(bool degraded) => degraded ? _degradedLocalities : _healthyLocalities;
}
