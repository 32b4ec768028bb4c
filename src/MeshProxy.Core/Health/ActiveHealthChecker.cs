using MeshProxy.Configuration;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Health;

/// <summary>
/// Active health checking of one cluster (Envoy's HealthCheckerImplBase): a session per endpoint, each probing on the
/// injected <see cref="TimeProvider"/> with a bounded timeout. New endpoints start as failing (Envoy's FAILED_ACTIVE_HC)
/// and their first check decides at once; later transitions follow the thresholds. Any transition refreshes the
/// cluster's loads at once.
/// </summary>
internal sealed partial class ActiveHealthChecker : IDisposable
{
    private readonly ClusterState _cluster;
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _timeProvider;
    private readonly IRandomFactory _randomFactory;
    private readonly ILogger _logger;
    private readonly HealthCheckSession[] _sessions;
    private readonly CancellationTokenSource _stopping = new();

    public ActiveHealthChecker(ClusterState cluster, HealthCheckConfig config, IHealthProbe probe, TimeProvider timeProvider, IRandomFactory randomFactory, ILogger logger)
    {
        _cluster = cluster;
        Config = config;
        _probe = probe;
        _timeProvider = timeProvider;
        _randomFactory = randomFactory;
        _logger = logger;
        _sessions = cluster.Endpoints.Select(e => new HealthCheckSession(this, e, timeProvider)).ToArray();
    }

    public HealthCheckConfig Config { get; }

    public ClusterState Cluster => _cluster;

    private HealthCheckStats Stats => _cluster.Stats.HealthCheck;

    /// <summary>Hears every check that passed, after the endpoint's flags were updated (outlier detection unejects on it).</summary>
    public Action<EndpointState>? CheckPassed { get; init; }

    /// <summary>Completes when every endpoint has had its first check (or the checker stopped).</summary>
    public Task FirstRound => Task.WhenAll(_sessions.Select(s => s.FirstCheckDone.Task));

    /// <summary>
    /// Marks the endpoints as not yet checked, or continues the sessions of the cluster's previous version (same
    /// addresses, same health check), then starts checking. Call once.
    /// </summary>
    public void Start(ActiveHealthChecker? previous)
    {
        Stats.Enable();
        var earlier = previous is not null && previous.Config == Config
            ? previous._sessions.ToDictionary(s => s.Endpoint.Address)
            : null;
        foreach (var session in _sessions)
        {
            if (earlier is not null && earlier.TryGetValue(session.Endpoint.Address, out var before))
            {
                session.ContinueFrom(before);
            }
            else
            {
                session.Endpoint.FailedActiveHealthCheck = true;
            }
        }
        _cluster.OnHealthChanged();
        UpdateGauges();
        var random = _randomFactory.CreateRandomInstance();
        foreach (var session in _sessions)
        {
            // Envoy's initial_jitter: a random delay from 0 up to the jitter before the first check.
            var delay = Config.InitialJitter > TimeSpan.Zero
                ? TimeSpan.FromMilliseconds(random.NextInt64((long)Config.InitialJitter.TotalMilliseconds + 1))
                : TimeSpan.Zero;
            session.Start(delay);
        }
    }

    /// <summary>One check with the configured timeout; null when the checker stopped meanwhile.</summary>
    public async Task<HealthProbeResult?> ProbeAsync(EndpointState endpoint)
    {
        if (_stopping.IsCancellationRequested)
        {
            return null;
        }
        Stats.Attempted();
        using var timeout = new CancellationTokenSource(Config.Timeout, _timeProvider);
        using var stop = _stopping.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        try
        {
            return await _probe.CheckAsync(endpoint, timeout.Token);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Stopped meanwhile (the probe may already be disposed): the result no longer matters.
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return HealthProbeResult.Timeout;
        }
    }

    /// <summary>Counts the check, refreshes the cluster when the endpoint's health changed, and tells outlier detection.</summary>
    public void OnCheckCompleted(HealthCheckSession session, HealthProbeResult result, bool changed)
    {
        var endpoint = session.Endpoint;
        var passed = result is HealthProbeResult.Healthy or HealthProbeResult.Degraded;
        if (passed)
        {
            Stats.Succeeded();
        }
        else
        {
            Stats.Failed(network: result is HealthProbeResult.NetworkFailure or HealthProbeResult.Timeout);
        }
        if (changed)
        {
            _cluster.OnHealthChanged();
            UpdateGauges();
            LogTransition(endpoint, result);
        }
        if (passed)
        {
            CheckPassed?.Invoke(endpoint);
        }
    }

    /// <summary>
    /// Envoy's interval: the configured one once the cluster has carried traffic, else the no-traffic interval
    /// (a cluster that never sent a request or opened a connection is probed rarely).
    /// </summary>
    public TimeSpan NextInterval()
    {
        var stats = _cluster.Stats;
        var used = stats.RequestsTotal > 0 || stats.ConnectionsTotal > 0 || stats.ConnectFailures > 0;
        return used ? Config.Interval : Config.NoTrafficInterval;
    }

    private void UpdateGauges()
    {
        long healthy = 0, degraded = 0;
        foreach (var session in _sessions)
        {
            healthy += session.Endpoint.FailedActiveHealthCheck ? 0 : 1;
            degraded += session.Endpoint.DegradedByActiveHealthCheck ? 1 : 0;
        }
        Stats.SetGauges(healthy, degraded);
    }

    private void LogTransition(EndpointState endpoint, HealthProbeResult result)
    {
        if (endpoint.FailedActiveHealthCheck)
        {
            Log.Failed(_logger, endpoint.Address, _cluster.Name, result);
        }
        else if (endpoint.DegradedByActiveHealthCheck)
        {
            Log.Degraded(_logger, endpoint.Address, _cluster.Name);
        }
        else
        {
            Log.Passed(_logger, endpoint.Address, _cluster.Name);
        }
    }

    /// <summary>Stops every session and any check in flight. Flags stay as they are; the cluster is being replaced or dropped.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var session in _sessions)
        {
            session.Dispose();
        }
        _probe.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HealthCheckFailedEndpoint, Level = LogLevel.Warning,
            Message = "Endpoint {Endpoint} of cluster {Cluster} failed its health checks ({Result}); it takes no traffic unless its priority is in panic")]
        public static partial void Failed(ILogger logger, System.Net.IPEndPoint endpoint, string cluster, HealthProbeResult result);

        [LoggerMessage(EventId = EventIds.HealthCheckPassedEndpoint, Level = LogLevel.Information,
            Message = "Endpoint {Endpoint} of cluster {Cluster} passes its health checks")]
        public static partial void Passed(ILogger logger, System.Net.IPEndPoint endpoint, string cluster);

        [LoggerMessage(EventId = EventIds.HealthCheckDegradedEndpoint, Level = LogLevel.Information,
            Message = "Endpoint {Endpoint} of cluster {Cluster} passes its health checks but is degraded (x-envoy-degraded)")]
        public static partial void Degraded(ILogger logger, System.Net.IPEndPoint endpoint, string cluster);
    }
}
