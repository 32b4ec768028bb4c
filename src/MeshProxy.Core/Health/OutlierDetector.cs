using MeshProxy.Configuration;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Health;

/// <summary>
/// Outlier detection for one cluster, as Envoy's DetectorImpl (outlier_detection_impl.cc) does it: consecutive 5xx,
/// gateway and local-origin failures eject inline; success rate and failure percentage are judged on each interval
/// tick, which is also the only time an ejection ends. Ejections pass the cluster-wide gate
/// 100 × (ejected + 1) / endpoints ≤ maxEjectionPercent (or alwaysEjectOneHost with none ejected), then the
/// enforcing percentage, drawn from the injected random. An ejection lasts min(base × backoff, max) + jitter.
/// It hears request outcomes as the cluster's <see cref="IEndpointOutcomeObserver"/>; all decisions run under one lock.
/// </summary>
internal sealed partial class OutlierDetector : IEndpointOutcomeObserver, IDisposable
{
    private readonly ClusterState _cluster;
    private readonly TimeProvider _timeProvider;
    private readonly IRandomFactory _randomFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<EndpointState, OutlierHostMonitor> _monitors;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private int _activeEjections;
    private bool _stopped;

    public OutlierDetector(ClusterState cluster, OutlierDetectionConfig config, TimeProvider timeProvider, IRandomFactory randomFactory, ILogger logger)
    {
        _cluster = cluster;
        Config = config;
        _timeProvider = timeProvider;
        _randomFactory = randomFactory;
        _logger = logger;
        // EndpointState has reference equality, so the lookup costs a hash of the reference.
        _monitors = cluster.Endpoints.ToDictionary(e => e, e => new OutlierHostMonitor(this, e));
        _timer = timeProvider.CreateTimer(static state => ((OutlierDetector)state!).OnIntervalTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public OutlierDetectionConfig Config { get; }

    public ClusterState Cluster => _cluster;

    private OutlierDetectionStats Stats => _cluster.Stats.OutlierDetection;

    /// <summary>
    /// Takes over the ejections and counters of the cluster's previous version for endpoints with the same address
    /// (when the outlier config is the same), then starts the interval timer. Call once.
    /// </summary>
    public void Start(OutlierDetector? previous)
    {
        Stats.Enable();
        lock (_lock)
        {
            if (previous is not null && previous.Config == Config)
            {
                var earlier = previous.SnapshotMonitors();
                foreach (var monitor in _monitors.Values)
                {
                    if (earlier.TryGetValue(monitor.Endpoint.Address, out var before))
                    {
                        monitor.ContinueFrom(before);
                        _activeEjections += monitor.Endpoint.EjectedByOutlierDetection ? 1 : 0;
                    }
                }
            }
            Stats.SetActive(_activeEjections);
            _timer.Change(Config.Interval, Timeout.InfiniteTimeSpan);
        }
        if (_activeEjections > 0)
        {
            _cluster.OnHealthChanged();
        }
    }

    public void OnOutcome(EndpointState endpoint, in EndpointOutcome outcome)
    {
        if (_monitors.TryGetValue(endpoint, out var monitor))
        {
            monitor.Put(outcome);
        }
    }

    /// <summary>A consecutive counter reached its threshold (Envoy's onConsecutiveErrorWorker).</summary>
    public void OnConsecutiveError(OutlierHostMonitor monitor, OutlierEjectionType type)
    {
        bool changed;
        lock (_lock)
        {
            if (_stopped || monitor.Endpoint.EjectedByOutlierDetection)
            {
                // Already ejected (its priority may be in panic and still send it requests): ignored, counter kept.
                return;
            }
            Stats.OnDetected(type);
            changed = EjectHost(monitor, type, Now());
            monitor.ResetConsecutive(type);
        }
        if (changed)
        {
            _cluster.OnHealthChanged();
        }
    }

    /// <summary>
    /// An active health check passed (Envoy's successful_active_health_check_uneject_host): an ejected endpoint that
    /// is not failing its health checks returns at once.
    /// </summary>
    public void OnActiveHealthCheckPassed(EndpointState endpoint)
    {
        if (!Config.SuccessfulActiveHealthCheckUnejectHost || endpoint.FailedActiveHealthCheck || !endpoint.EjectedByOutlierDetection
            || !_monitors.TryGetValue(endpoint, out var monitor))
        {
            return;
        }
        lock (_lock)
        {
            if (_stopped || !endpoint.EjectedByOutlierDetection)
            {
                return;
            }
            UnejectHost(monitor, Now(), "an active health check passed");
        }
        _cluster.OnHealthChanged();
    }

    /// <summary>Envoy's ejectHost: the percent gate, then the enforcing draw. Returns whether the endpoint was ejected.</summary>
    private bool EjectHost(OutlierHostMonitor monitor, OutlierEjectionType type, long now)
    {
        var ejectedPercent = 100.0 * (_activeEjections + 1) / _monitors.Count;
        var allowed = ejectedPercent <= Math.Min(100, Config.MaxEjectionPercent) || (Config.AlwaysEjectOneHost && _activeEjections == 0);
        if (!allowed)
        {
            Stats.OnOverflow();
            return false;
        }
        var random = _randomFactory.CreateRandomInstance();
        if (random.Next(100) >= EnforcingPercent(type))
        {
            Log.NotEnforced(_logger, monitor.Endpoint.Address, _cluster.Name, type);
            return false;
        }
        if (monitor.Endpoint.EjectedByOutlierDetection)
        {
            // Ejected a moment ago by the success-rate pass of this same sweep; Envoy would count it twice.
            return false;
        }
        _activeEjections++;
        Stats.OnEnforced(type);
        Stats.SetActive(_activeEjections);
        monitor.Eject(now);
        var jitterMs = (long)Config.MaxEjectionTimeJitter.TotalMilliseconds;
        monitor.Jitter = TimeSpan.FromMilliseconds(jitterMs > 0 ? random.NextInt64(jitterMs + 1) : 0);
        if (monitor.EjectTimeBackoff * Config.BaseEjectionTime < Config.EffectiveMaxEjectionTime + Config.BaseEjectionTime)
        {
            monitor.EjectTimeBackoff++;
        }
        Log.Ejected(_logger, monitor.Endpoint.Address, _cluster.Name, type, Durations.Format(EjectionTime(monitor)), monitor.NumEjections);
        return true;
    }

    private void UnejectHost(OutlierHostMonitor monitor, long now, string reason)
    {
        _activeEjections--;
        Stats.SetActive(_activeEjections);
        monitor.Uneject(now);
        Log.Unejected(_logger, monitor.Endpoint.Address, _cluster.Name, reason);
    }

    /// <summary>How long the current ejection lasts: min(base × backoff, max) + the drawn jitter.</summary>
    private TimeSpan EjectionTime(OutlierHostMonitor monitor)
    {
        var scaled = Config.BaseEjectionTime * monitor.EjectTimeBackoff;
        var max = Config.EffectiveMaxEjectionTime;
        return (scaled < max ? scaled : max) + monitor.Jitter;
    }

    /// <summary>
    /// Envoy's onIntervalTimer: end ejections that lasted long enough, start new success-rate buckets, run the
    /// success-rate and failure-percentage checks, then decay the backoff of endpoints healthy for a whole interval.
    /// </summary>
    private void OnIntervalTick()
    {
        var changed = false;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            var now = Now();
            foreach (var monitor in _monitors.Values)
            {
                if (monitor.Endpoint.EjectedByOutlierDetection && EjectionTime(monitor) <= _timeProvider.GetElapsedTime(monitor.LastEjection!.Value, now))
                {
                    UnejectHost(monitor, now, "its ejection time passed");
                    changed = true;
                }
                monitor.ExternalOrigin.Swap();
                monitor.LocalOrigin.Swap();
            }
            changed |= ProcessSuccessRateEjections(local: false, now);
            changed |= ProcessSuccessRateEjections(local: true, now);
            foreach (var monitor in _monitors.Values)
            {
                if (!monitor.Endpoint.EjectedByOutlierDetection && monitor.LastUnejection is { } unejected
                    && _timeProvider.GetElapsedTime(unejected, now) >= Config.Interval && monitor.EjectTimeBackoff > 0)
                {
                    monitor.EjectTimeBackoff--;
                }
            }
            _timer.Change(Config.Interval, Timeout.InfiniteTimeSpan);
        }
        if (changed)
        {
            _cluster.OnHealthChanged();
        }
    }

    /// <summary>Envoy's processSuccessRateEjections for the external-origin or (split mode) local-origin buckets.</summary>
    private bool ProcessSuccessRateEjections(bool local, long now)
    {
        var hosts = _monitors.Count;
        if (hosts < Config.SuccessRateMinimumHosts && hosts < Config.FailurePercentageMinimumHosts)
        {
            return false;
        }
        var successRateHosts = new List<(OutlierHostMonitor Monitor, double Rate)>();
        var failurePercentageHosts = new List<(OutlierHostMonitor Monitor, double Rate)>();
        foreach (var monitor in _monitors.Values)
        {
            if (monitor.Endpoint.EjectedByOutlierDetection || (local ? monitor.LocalOrigin : monitor.ExternalOrigin).Read() is not { } sample)
            {
                continue;
            }
            var (rate, volume) = sample;
            if (volume >= Config.SuccessRateRequestVolume)
            {
                successRateHosts.Add((monitor, rate));
            }
            if (volume >= Config.FailurePercentageRequestVolume)
            {
                failurePercentageHosts.Add((monitor, rate));
            }
        }

        var changed = false;
        if (successRateHosts.Count > 0 && successRateHosts.Count >= Config.SuccessRateMinimumHosts)
        {
            var threshold = SuccessRateThreshold(successRateHosts.Select(h => h.Rate).ToArray(), Config.SuccessRateStdevFactor / 1000.0).Threshold;
            var type = local ? OutlierEjectionType.LocalOriginSuccessRate : OutlierEjectionType.SuccessRate;
            foreach (var (monitor, rate) in successRateHosts)
            {
                if (rate < threshold)
                {
                    Stats.OnDetected(type);
                    changed |= EjectHost(monitor, type, now);
                }
            }
        }
        if (failurePercentageHosts.Count > 0 && failurePercentageHosts.Count >= Config.FailurePercentageMinimumHosts)
        {
            var type = local ? OutlierEjectionType.LocalOriginFailurePercentage : OutlierEjectionType.FailurePercentage;
            foreach (var (monitor, rate) in failurePercentageHosts)
            {
                if (100.0 - rate >= Config.FailurePercentageThreshold)
                {
                    Stats.OnDetected(type);
                    changed |= EjectHost(monitor, type, now);
                }
            }
        }
        return changed;
    }

    /// <summary>
    /// Envoy's successRateEjectionThreshold: mean − factor × population standard deviation. For {50,100,100,100,100}:
    /// mean 90, variance 400, stdev 20, threshold 90 − 1.9 × 20 = 52.
    /// </summary>
    internal static (double Mean, double Threshold) SuccessRateThreshold(IReadOnlyList<double> rates, double stdevFactor)
    {
        var mean = rates.Sum() / rates.Count;
        var variance = rates.Sum(r => (r - mean) * (r - mean)) / rates.Count;
        return (mean, mean - stdevFactor * Math.Sqrt(variance));
    }

    private int EnforcingPercent(OutlierEjectionType type) => type switch
    {
        OutlierEjectionType.Consecutive5xx => Config.EnforcingConsecutive5xx,
        OutlierEjectionType.ConsecutiveGatewayFailure => Config.EnforcingConsecutiveGatewayFailure,
        OutlierEjectionType.ConsecutiveLocalOriginFailure => Config.EnforcingConsecutiveLocalOriginFailure,
        OutlierEjectionType.SuccessRate => Config.EnforcingSuccessRate,
        OutlierEjectionType.LocalOriginSuccessRate => Config.EnforcingLocalOriginSuccessRate,
        OutlierEjectionType.FailurePercentage => Config.EnforcingFailurePercentage,
        _ => Config.EnforcingFailurePercentageLocalOrigin,
    };

    private long Now() => _timeProvider.GetTimestamp();

    private Dictionary<System.Net.IPEndPoint, OutlierHostMonitor> SnapshotMonitors()
    {
        lock (_lock)
        {
            return _monitors.Values.ToDictionary(m => m.Endpoint.Address);
        }
    }

    /// <summary>Stops the interval timer and further ejections; the cluster is being replaced or dropped.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
            _timer.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.OutlierEjected, Level = LogLevel.Warning,
            Message = "Ejected endpoint {Endpoint} of cluster {Cluster} ({Type}) for {Duration} (ejection {Count})")]
        public static partial void Ejected(ILogger logger, System.Net.IPEndPoint endpoint, string cluster, OutlierEjectionType type, string duration, int count);

        [LoggerMessage(EventId = EventIds.OutlierUnejected, Level = LogLevel.Information,
            Message = "Endpoint {Endpoint} of cluster {Cluster} returns from ejection: {Reason}")]
        public static partial void Unejected(ILogger logger, System.Net.IPEndPoint endpoint, string cluster, string reason);

        [LoggerMessage(EventId = EventIds.OutlierDetectedNotEnforced, Level = LogLevel.Debug,
            Message = "Endpoint {Endpoint} of cluster {Cluster} is an outlier ({Type}), not ejected: the enforcing percentage said no")]
        public static partial void NotEnforced(ILogger logger, System.Net.IPEndPoint endpoint, string cluster, OutlierEjectionType type);
    }
}
