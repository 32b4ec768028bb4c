using System.Collections.Frozen;
using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.Routing;
using MeshProxy.Security.Authorization;
using MeshProxy.Upstream;

namespace MeshProxy.Runtime;

/// <summary>
/// One immutable, compiled version of the config: route tables and clusters ready for the data plane.
/// A request or connection takes the current snapshot when it starts and keeps it to the end, so a reload never
/// changes the rules under an in-flight request. Leases count who still uses a snapshot; when the last lease of a
/// replaced snapshot ends, it releases its clusters.
/// </summary>
public sealed class ProxySnapshot
{
    // One lease is held by the ConfigManager while this snapshot is current.
    private int _leases = 1;

    internal ProxySnapshot(ProxyConfig config, long version, FrozenDictionary<string, RouteTable> routeTables, FrozenDictionary<string, ClusterState> clusters)
    {
        Config = config;
        Version = version;
        RouteTables = routeTables;
        Clusters = clusters;
        Listeners = config.Listeners.ToFrozenDictionary(l => l.Name, l => new ListenerState(l), StringComparer.Ordinal);
        Authorizer = new Authorizer(config.Authorization);
        foreach (var cluster in clusters.Values)
        {
            cluster.AddReference();
        }
    }

    public ProxyConfig Config { get; }

    /// <summary>Increases by one with every applied config.</summary>
    public long Version { get; }

    public FrozenDictionary<string, ListenerState> Listeners { get; }

    public FrozenDictionary<string, RouteTable> RouteTables { get; }

    public FrozenDictionary<string, ClusterState> Clusters { get; }

    /// <summary>The inbound authorization policies, compiled.</summary>
    public Authorizer Authorizer { get; }

    /// <summary>Takes a lease; fails once the snapshot has been fully released, and the caller must read the current one again.</summary>
    internal bool TryAcquire()
    {
        var leases = Volatile.Read(ref _leases);
        while (leases > 0)
        {
            var seen = Interlocked.CompareExchange(ref _leases, leases + 1, leases);
            if (seen == leases)
            {
                return true;
            }
            leases = seen;
        }
        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0)
        {
            foreach (var cluster in Clusters.Values)
            {
                cluster.ReleaseReference();
            }
        }
    }
}
