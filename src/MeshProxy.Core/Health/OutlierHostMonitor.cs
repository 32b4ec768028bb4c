using MeshProxy.Upstream;

namespace MeshProxy.Health;

/// <summary>
/// What outlier detection knows about one endpoint (Envoy's DetectorHostMonitorImpl). Request outcomes update the
/// consecutive counters and success-rate buckets lock-free from any thread; a counter that reaches its threshold
/// (exactly: Envoy compares with ==) hands over to the detector. The ejection fields are only touched under the
/// detector's lock.
/// </summary>
internal sealed class OutlierHostMonitor
{
    private readonly OutlierDetector _detector;
    private int _consecutive5xx;
    private int _consecutiveGatewayFailure;
    private int _consecutiveLocalOriginFailure;

    public OutlierHostMonitor(OutlierDetector detector, EndpointState endpoint)
    {
        _detector = detector;
        Endpoint = endpoint;
    }

    public EndpointState Endpoint { get; }

    /// <summary>Upstream answers (and, unless split, local-origin failures as 503/504).</summary>
    public SuccessRateAccumulator ExternalOrigin { get; } = new();

    /// <summary>Connection-level results; only fed with splitExternalLocalOriginErrors.</summary>
    public SuccessRateAccumulator LocalOrigin { get; } = new();

    /// <summary>The ejection-time multiplier: grows with each ejection (capped), shrinks by one per healthy interval.</summary>
    public int EjectTimeBackoff { get; set; }

    public int NumEjections { get; private set; }

    /// <summary>TimeProvider timestamps; null before the first ejection and unejection.</summary>
    public long? LastEjection { get; private set; }

    public long? LastUnejection { get; private set; }

    /// <summary>The jitter drawn at the last ejection, added to its duration.</summary>
    public TimeSpan Jitter { get; set; }

    public void Put(in EndpointOutcome outcome)
    {
        var split = _detector.Config.SplitExternalLocalOriginErrors;
        if (outcome.LocalOrigin != LocalOriginFailure.None)
        {
            if (split)
            {
                LocalOriginFailed();
            }
            else
            {
                // Envoy's putResultNoLocalExternalSplit: a timeout counts as 504, other local-origin failures as 503.
                PutHttpResponseCode(outcome.LocalOrigin == LocalOriginFailure.Timeout ? 504 : 503);
            }
            return;
        }
        if (outcome.StatusCode <= 0)
        {
            return;
        }
        if (split)
        {
            // An answer means the connection worked (Envoy's LocalOriginConnectSuccess).
            LocalOrigin.Record(success: true);
            Interlocked.Exchange(ref _consecutiveLocalOriginFailure, 0);
        }
        PutHttpResponseCode(outcome.StatusCode);
    }

    /// <summary>Envoy's putHttpResponseCode.</summary>
    private void PutHttpResponseCode(int status)
    {
        var config = _detector.Config;
        if (status is >= 500 and < 600)
        {
            ExternalOrigin.Record(success: false);
            if (status is 502 or 503 or 504)
            {
                if (Interlocked.Increment(ref _consecutiveGatewayFailure) == config.ConsecutiveGatewayFailure)
                {
                    _detector.OnConsecutiveError(this, OutlierEjectionType.ConsecutiveGatewayFailure);
                }
            }
            else
            {
                Interlocked.Exchange(ref _consecutiveGatewayFailure, 0);
            }
            if (Interlocked.Increment(ref _consecutive5xx) == config.Consecutive5xx)
            {
                _detector.OnConsecutiveError(this, OutlierEjectionType.Consecutive5xx);
            }
        }
        else
        {
            ExternalOrigin.Record(success: true);
            Interlocked.Exchange(ref _consecutive5xx, 0);
            Interlocked.Exchange(ref _consecutiveGatewayFailure, 0);
        }
    }

    private void LocalOriginFailed()
    {
        LocalOrigin.Record(success: false);
        if (Interlocked.Increment(ref _consecutiveLocalOriginFailure) == _detector.Config.ConsecutiveLocalOriginFailure)
        {
            _detector.OnConsecutiveError(this, OutlierEjectionType.ConsecutiveLocalOriginFailure);
        }
    }

    public void ResetConsecutive(OutlierEjectionType type)
    {
        switch (type)
        {
            case OutlierEjectionType.Consecutive5xx:
                Interlocked.Exchange(ref _consecutive5xx, 0);
                break;
            case OutlierEjectionType.ConsecutiveGatewayFailure:
                Interlocked.Exchange(ref _consecutiveGatewayFailure, 0);
                break;
            case OutlierEjectionType.ConsecutiveLocalOriginFailure:
                Interlocked.Exchange(ref _consecutiveLocalOriginFailure, 0);
                break;
        }
    }

    public void Eject(long now)
    {
        Endpoint.EjectedByOutlierDetection = true;
        NumEjections++;
        LastEjection = now;
    }

    /// <summary>Clears the ejection and every consecutive counter, so a few new errors do not eject it again at once.</summary>
    public void Uneject(long now)
    {
        Endpoint.EjectedByOutlierDetection = false;
        ResetConsecutive(OutlierEjectionType.Consecutive5xx);
        ResetConsecutive(OutlierEjectionType.ConsecutiveGatewayFailure);
        ResetConsecutive(OutlierEjectionType.ConsecutiveLocalOriginFailure);
        LastUnejection = now;
    }

    /// <summary>Takes over an earlier monitor of the same endpoint address (a rebuilt cluster with the same outlier detection).</summary>
    public void ContinueFrom(OutlierHostMonitor previous)
    {
        Endpoint.EjectedByOutlierDetection = previous.Endpoint.EjectedByOutlierDetection;
        _consecutive5xx = Volatile.Read(ref previous._consecutive5xx);
        _consecutiveGatewayFailure = Volatile.Read(ref previous._consecutiveGatewayFailure);
        _consecutiveLocalOriginFailure = Volatile.Read(ref previous._consecutiveLocalOriginFailure);
        ExternalOrigin.CopyFrom(previous.ExternalOrigin);
        LocalOrigin.CopyFrom(previous.LocalOrigin);
        EjectTimeBackoff = previous.EjectTimeBackoff;
        NumEjections = previous.NumEjections;
        LastEjection = previous.LastEjection;
        LastUnejection = previous.LastUnejection;
        Jitter = previous.Jitter;
    }
}
