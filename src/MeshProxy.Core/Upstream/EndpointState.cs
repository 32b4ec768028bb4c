using System.Net;
using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Utilities;

namespace MeshProxy.Upstream;

/// <summary>
/// The runtime state of one upstream host: its address, placement, health, and live counters. Thread-safe.
/// Health is a reported status plus independent flags that health checking and outlier detection own; after
/// changing any of them, call <see cref="ClusterState.OnHealthChanged"/> so the cluster recomputes its loads.
/// </summary>
public sealed class EndpointState
{
    private const int FailedActiveHealthCheckFlag = 1;
    private const int EjectedByOutlierDetectionFlag = 2;
    private const int ExcludedFlag = 4;
    private const int DegradedByActiveHealthCheckFlag = 8;

    private int _activeRequests;
    private long _totalRequests;
    private long _failedRequests;
    private int _healthStatus;
    private int _flags;

    public EndpointState(EndpointConfig config, EndpointHealth healthStatus = EndpointHealth.Healthy)
    {
        Config = config;
        Address = config.Address;
        DestinationPrefix = "http://" + config.Address;
        AddressText = config.Address.ToString();
        _healthStatus = (int)healthStatus;
    }

    /// <summary>An endpoint made up on the spot for a connection's original destination.</summary>
    public static EndpointState ForOriginalDestination(IPEndPoint address) => new(new EndpointConfig { Address = address });

    private string? _peerPrincipal;

    public EndpointConfig Config { get; }

    public IPEndPoint Address { get; }

    /// <summary>"http://ip:port", the prefix handed to the forwarder; cached so requests do not format it.</summary>
    public string DestinationPrefix { get; }

    /// <summary>"ip:port" ("[v6]:port"): what ring hash and Maglev hash (as Envoy hashes the address) and the access log use.</summary>
    public string AddressText { get; }

    /// <summary>Load-balancing weight, 1 to 128.</summary>
    public int Weight => Config.Weight;

    /// <summary>The configured priority; derived locality priorities may replace it (LoadBalancerConfig.LocalityPriorities).</summary>
    public int Priority => Config.Priority;

    public LocalityConfig Locality => Config.Locality;

    public EquatableArray<KeyValuePair<string, string>> Metadata => Config.Metadata;

    /// <summary>The SPIFFE ID the endpoint presented in its latest mTLS handshake (Istio's destination principal); null without mTLS.</summary>
    public string? PeerPrincipal
    {
        get => Volatile.Read(ref _peerPrincipal);
        set => Volatile.Write(ref _peerPrincipal, value);
    }

    /// <summary>The health the endpoint's source reports (config, EDS, a test). Default healthy.</summary>
    public EndpointHealth HealthStatus
    {
        get => (EndpointHealth)Volatile.Read(ref _healthStatus);
        set => Volatile.Write(ref _healthStatus, (int)value);
    }

    /// <summary>Set by active health checking while the host fails its checks (Envoy's FAILED_ACTIVE_HC).</summary>
    public bool FailedActiveHealthCheck
    {
        get => HasFlag(FailedActiveHealthCheckFlag);
        set => SetFlag(FailedActiveHealthCheckFlag, value);
    }

    /// <summary>Set by outlier detection while the host is ejected (Envoy's FAILED_OUTLIER_CHECK).</summary>
    public bool EjectedByOutlierDetection
    {
        get => HasFlag(EjectedByOutlierDetectionFlag);
        set => SetFlag(EjectedByOutlierDetectionFlag, value);
    }

    /// <summary>Set by active health checking while the host answers with x-envoy-degraded (Envoy's DEGRADED_ACTIVE_HC).</summary>
    public bool DegradedByActiveHealthCheck
    {
        get => HasFlag(DegradedByActiveHealthCheckFlag);
        set => SetFlag(DegradedByActiveHealthCheckFlag, value);
    }

    /// <summary>
    /// Left out of priority health (Envoy's excluded hosts: not yet health checked, pending removal). An excluded host
    /// is never available, counts in neither numerator nor denominator of its priority's health, but still counts
    /// in a total panic's split and is used by a priority in panic, as in Envoy.
    /// </summary>
    public bool Excluded
    {
        get => HasFlag(ExcludedFlag);
        set => SetFlag(ExcludedFlag, value);
    }

    /// <summary>What load balancing sees: healthy, degraded or unhealthy (draining and failing flags are unhealthy, a degraded flag degrades).</summary>
    public EndpointHealth CoarseHealth
    {
        get
        {
            var flags = Volatile.Read(ref _flags);
            if ((flags & (FailedActiveHealthCheckFlag | EjectedByOutlierDetectionFlag)) != 0)
            {
                return EndpointHealth.Unhealthy;
            }
            return HealthStatus switch
            {
                EndpointHealth.Healthy => (flags & DegradedByActiveHealthCheckFlag) != 0 ? EndpointHealth.Degraded : EndpointHealth.Healthy,
                EndpointHealth.Degraded => EndpointHealth.Degraded,
                _ => EndpointHealth.Unhealthy,
            };
        }
    }

    public int ActiveRequests => Volatile.Read(ref _activeRequests);

    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    public long FailedRequests => Interlocked.Read(ref _failedRequests);

    public void RequestStarted()
    {
        Interlocked.Increment(ref _activeRequests);
        Interlocked.Increment(ref _totalRequests);
    }

    public void RequestFinished(bool failed)
    {
        Interlocked.Decrement(ref _activeRequests);
        if (failed)
        {
            Interlocked.Increment(ref _failedRequests);
        }
    }

    public override string ToString() => Address.ToString();

    private bool HasFlag(int flag) => (Volatile.Read(ref _flags) & flag) != 0;

    private void SetFlag(int flag, bool on)
    {
        if (on)
        {
            Interlocked.Or(ref _flags, flag);
        }
        else
        {
            Interlocked.And(ref _flags, ~flag);
        }
    }
}
