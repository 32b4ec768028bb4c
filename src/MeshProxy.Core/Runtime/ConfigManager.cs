using System.Collections.Frozen;
using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.Routing;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Runtime;

/// <summary>
/// Holds the current <see cref="ProxySnapshot"/> and swaps in new ones atomically.
/// A new config is compiled in full before the swap, so readers see either the old snapshot or the new one.
/// </summary>
public sealed partial class ConfigManager : IDisposable
{
    private readonly IUpstreamHttpEngineFactory _engineFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ConfigManager> _logger;
    private readonly Lock _applyLock = new();
    private volatile ProxySnapshot? _current;
    private long _version;

    private readonly StatsRegistry _stats;

    public ConfigManager(IUpstreamHttpEngineFactory engineFactory, TimeProvider timeProvider, StatsRegistry stats, ILogger<ConfigManager> logger)
    {
        _stats = stats;
        _engineFactory = engineFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Raised after a new snapshot became current.</summary>
    public event Action<ProxySnapshot>? SnapshotApplied;

    /// <summary>Raised with a compiled snapshot just before it becomes current, so its clusters can be prepared unseen (health flags).</summary>
    public event Action<ProxySnapshot>? SnapshotBuilt;

    /// <summary>The current snapshot, for reads that need no lease (admin, listener setup).</summary>
    public ProxySnapshot Current => _current ?? throw new InvalidOperationException("No configuration has been applied yet.");

    public bool HasConfig => _current is not null;

    /// <summary>Leases the current snapshot for the life of a request or connection; release it with <see cref="ProxySnapshot.Release"/>.</summary>
    public ProxySnapshot Acquire()
    {
        while (true)
        {
            var snapshot = Current;
            if (snapshot.TryAcquire())
            {
                return snapshot;
            }
        }
    }

    /// <summary>Compiles a validated config into a snapshot and makes it current.</summary>
    public ProxySnapshot Apply(ProxyConfig config)
    {
        lock (_applyLock)
        {
            var previous = _current;
            var clusters = new Dictionary<string, ClusterState>(StringComparer.Ordinal);
            var reused = 0;
            foreach (var clusterConfig in config.Clusters)
            {
                if (previous is not null && previous.Clusters.TryGetValue(clusterConfig.Name, out var existing) && existing.Config == clusterConfig)
                {
                    clusters[clusterConfig.Name] = existing;
                    reused++;
                }
                else
                {
                    clusters[clusterConfig.Name] = new ClusterState(clusterConfig, _engineFactory, _timeProvider, _stats.Cluster(clusterConfig.Name));
                }
            }

            // Locality-aware balancing needs this proxy's own locality and, for zone-aware routing, the zone spread of
            // its own service (Envoy's local cluster). Both can change with any config, so every cluster hears it.
            var localCluster = config.Node.LocalCluster is { } localName ? clusters.GetValueOrDefault(localName) : null;
            foreach (var cluster in clusters.Values)
            {
                cluster.UseLocality(config.Node.Locality, localCluster);
            }

            var routeTables = config.RouteTables.ToFrozenDictionary(t => t.Name, t => new RouteTable(t), StringComparer.Ordinal);
            var snapshot = new ProxySnapshot(config, Interlocked.Increment(ref _version), routeTables, clusters.ToFrozenDictionary(StringComparer.Ordinal));
            SnapshotBuilt?.Invoke(snapshot);
            _current = snapshot;
            previous?.Release();
            Log.Applied(_logger, snapshot.Version, config.Listeners.Count, config.RouteTables.Count, config.Clusters.Count, reused);
            SnapshotApplied?.Invoke(snapshot);
            return snapshot;
        }
    }

    public void Dispose() => _current?.Release();

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConfigApplied, EventName = "ConfigApplied", Level = LogLevel.Information,
            Message = "Config version {Version} applied: {Listeners} listeners, {RouteTables} route tables, {Clusters} clusters ({Reused} unchanged)")]
        public static partial void Applied(ILogger logger, long version, int listeners, int routeTables, int clusters, int reused);
    }
}
