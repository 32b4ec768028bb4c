using MeshProxy.Runtime;
using MeshProxy.Telemetry;
using MeshProxy.Utilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Health;

/// <summary>
/// Runs active health checking and outlier detection for the clusters of the current snapshot. It follows the config
/// manager's snapshots before they become current, so no request sees a new endpoint before its health flags are set:
/// a cluster carried over unchanged keeps its checker and detector as they are; a new or changed cluster gets new ones,
/// continuing the earlier version's state endpoint by endpoint; a cluster that left the config stops being checked.
/// At start it waits for the first round of checks (bounded by the check timeout), as Envoy warms a cluster before
/// using it.
/// </summary>
internal sealed partial class ClusterHealthManager : IHostedService, IDisposable
{
    // Beyond the longest check timeout, how long start may wait for the first round of checks.
    private static readonly TimeSpan WarmingSlack = TimeSpan.FromSeconds(1);

    private readonly ConfigManager _configManager;
    private readonly TimeProvider _timeProvider;
    private readonly IRandomFactory _randomFactory;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Dictionary<string, ClusterHealth> _clusters = new(StringComparer.Ordinal);
    private bool _stopped;

    public ClusterHealthManager(ConfigManager configManager, TimeProvider timeProvider, IRandomFactory randomFactory, ILoggerFactory loggers)
    {
        _configManager = configManager;
        _timeProvider = timeProvider;
        _randomFactory = randomFactory;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ClusterHealthManager>();
        // Subscribed here, not in StartAsync: the host builds every hosted service before starting any, so this sees
        // the initial config, which the start-up service applies before this one starts.
        _configManager.SnapshotBuilt += OnSnapshotBuilt;
    }

    /// <summary>The health layer of each cluster that has one, by cluster name.</summary>
    public IReadOnlyDictionary<string, ClusterHealth> Clusters
    {
        get
        {
            lock (_lock)
            {
                return _clusters;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clusters = Clusters.Values.Where(c => c.Checker is not null).ToArray();
        if (clusters.Length == 0)
        {
            return;
        }
        var longest = clusters.Max(c => c.Checker!.Config.Timeout);
        try
        {
            await Task.WhenAll(clusters.Select(c => c.FirstRound)).WaitAsync(longest + WarmingSlack, _timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A check that outlives its own timeout is failing anyway; its endpoint stays out of rotation.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Matches the health layer to a new snapshot's clusters, before the snapshot becomes current.</summary>
    private void OnSnapshotBuilt(ProxySnapshot snapshot)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            var next = new Dictionary<string, ClusterHealth>(StringComparer.Ordinal);
            int started = 0, stopped = 0;
            foreach (var (name, cluster) in snapshot.Clusters)
            {
                _clusters.TryGetValue(name, out var previous);
                if (previous is not null && ReferenceEquals(previous.Cluster, cluster))
                {
                    next[name] = previous;
                    continue;
                }
                previous?.Dispose();
                stopped += previous is null ? 0 : 1;
                if (ClusterHealth.Start(cluster, previous, _timeProvider, _randomFactory, _loggers) is { } health)
                {
                    next[name] = health;
                    started++;
                }
            }
            foreach (var (name, health) in _clusters)
            {
                if (!next.ContainsKey(name) && !snapshot.Clusters.ContainsKey(name))
                {
                    health.Dispose();
                    ClusterHealth.ClearGauges(health.Cluster.Stats);
                    stopped++;
                }
            }
            _clusters = next;
            if (started + stopped > 0)
            {
                Log.Changed(_logger, snapshot.Version, started, stopped, next.Count);
            }
        }
    }

    public void Dispose()
    {
        _configManager.SnapshotBuilt -= OnSnapshotBuilt;
        lock (_lock)
        {
            _stopped = true;
            foreach (var health in _clusters.Values)
            {
                health.Dispose();
            }
            _clusters = new(StringComparer.Ordinal);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HealthCheckersChanged, Level = LogLevel.Debug,
            Message = "Config version {Version}: health checking started for {Started} clusters, stopped for {Stopped}; {Active} clusters have health checking or outlier detection")]
        public static partial void Changed(ILogger logger, long version, int started, int stopped, int active);
    }
}
