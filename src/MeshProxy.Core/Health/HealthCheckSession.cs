using MeshProxy.Upstream;

namespace MeshProxy.Health;

/// <summary>
/// The health checking of one endpoint (Envoy's ActiveHealthCheckSession): one check at a time on its own timer, the
/// consecutive counters, and the flag transitions. Its counters are touched only by its own sequential checks.
/// </summary>
internal sealed class HealthCheckSession : IDisposable
{
    private readonly ActiveHealthChecker _checker;
    private readonly ITimer _timer;
    private bool _firstCheck = true;
    private int _healthyCount;
    private int _unhealthyCount;
    private volatile bool _stopped;

    public HealthCheckSession(ActiveHealthChecker checker, EndpointState endpoint, TimeProvider timeProvider)
    {
        _checker = checker;
        Endpoint = endpoint;
        _timer = timeProvider.CreateTimer(static state => ((HealthCheckSession)state!).RunCheck(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public EndpointState Endpoint { get; }

    /// <summary>Completes when the first check has ended (or the session stopped), for start-up warming.</summary>
    public TaskCompletionSource FirstCheckDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Continues an earlier session of the same endpoint (a rebuilt cluster with the same health check): keeps its
    /// flags and counters, as Envoy keeps an existing host's health across an endpoint update.
    /// </summary>
    public void ContinueFrom(HealthCheckSession previous)
    {
        Endpoint.FailedActiveHealthCheck = previous.Endpoint.FailedActiveHealthCheck;
        Endpoint.DegradedByActiveHealthCheck = previous.Endpoint.DegradedByActiveHealthCheck;
        _firstCheck = previous._firstCheck;
        _healthyCount = previous._healthyCount;
        _unhealthyCount = previous._unhealthyCount;
    }

    /// <summary>Schedules the first check: now, or after the initial jitter.</summary>
    public void Start(TimeSpan initialDelay)
    {
        if (initialDelay > TimeSpan.Zero)
        {
            Schedule(initialDelay);
        }
        else
        {
            RunCheck();
        }
    }

    private void RunCheck()
    {
        if (!_stopped)
        {
            _ = RunCheckAsync();
        }
    }

    private async Task RunCheckAsync()
    {
        var result = await _checker.ProbeAsync(Endpoint);
        if (_stopped || result is null)
        {
            return;
        }
        var changed = result is HealthProbeResult.Healthy or HealthProbeResult.Degraded
            ? HandleSuccess(result == HealthProbeResult.Degraded)
            : HandleFailure(result.Value);
        _checker.OnCheckCompleted(this, result.Value, changed);
        FirstCheckDone.TrySetResult();
        Schedule(_checker.NextInterval());
    }

    private void Schedule(TimeSpan delay)
    {
        try
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Stopped while this check ran.
        }
    }

    /// <summary>Envoy's handleSuccess: the first check or the healthy threshold clears the failure; the degraded flag follows the answer.</summary>
    private bool HandleSuccess(bool degraded)
    {
        _unhealthyCount = 0;
        var changed = false;
        if (Endpoint.FailedActiveHealthCheck && (_firstCheck || ++_healthyCount == _checker.Config.HealthyThreshold))
        {
            Endpoint.FailedActiveHealthCheck = false;
            changed = true;
        }
        if (degraded != Endpoint.DegradedByActiveHealthCheck)
        {
            Endpoint.DegradedByActiveHealthCheck = degraded;
            changed = true;
        }
        _firstCheck = false;
        return changed;
    }

    /// <summary>
    /// Envoy's setUnhealthy: an answer that fails (an unexpected status) marks the endpoint unhealthy at once; a network
    /// failure or timeout only at the unhealthy threshold.
    /// </summary>
    private bool HandleFailure(HealthProbeResult result)
    {
        _healthyCount = 0;
        var changed = false;
        if (!Endpoint.FailedActiveHealthCheck && (result == HealthProbeResult.Failed || ++_unhealthyCount == _checker.Config.UnhealthyThreshold))
        {
            Endpoint.FailedActiveHealthCheck = true;
            changed = true;
        }
        _firstCheck = false;
        return changed;
    }

    public void Dispose()
    {
        _stopped = true;
        _timer.Dispose();
        FirstCheckDone.TrySetResult();
    }
}
