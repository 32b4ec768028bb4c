using System.Collections.Concurrent;
using MeshProxy.Gateway;
using MeshProxy.Upstream;

namespace MeshProxy.Telemetry;

/// <summary>
/// The Envoy-style counters of every cluster and listener, by name. They live for the process, so a reload that
/// rebuilds a cluster or a listener keeps counting where it left off, as Envoy's stats store does.
/// </summary>
public sealed class StatsRegistry
{
    private readonly ConcurrentDictionary<string, ClusterStats> _clusters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ListenerStats> _listeners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SniRouterStats> _sniRouters = new(StringComparer.Ordinal);

    public ClusterStats Cluster(string name) => _clusters.GetOrAdd(name, static _ => new ClusterStats());

    public ListenerStats Listener(string name) => _listeners.GetOrAdd(name, static _ => new ListenerStats());

    public IEnumerable<KeyValuePair<string, ClusterStats>> Clusters => _clusters.OrderBy(c => c.Key, StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, ListenerStats>> Listeners => _listeners.OrderBy(l => l.Key, StringComparer.Ordinal);

    /// <summary>The SNI router counters of a tls listener.</summary>
    public SniRouterStats SniRouter(string listener) => _sniRouters.GetOrAdd(listener, static _ => new SniRouterStats());

    public IEnumerable<KeyValuePair<string, SniRouterStats>> SniRouters => _sniRouters.OrderBy(r => r.Key, StringComparer.Ordinal);
}
