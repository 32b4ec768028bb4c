using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.LoadBalancing;
using MeshProxy.Resilience;
using MeshProxy.Utilities;

namespace MeshProxy.Upstream;

/// <summary>
/// The runtime side of a cluster: endpoints, picker, counters, and the HTTP client that YARP forwards through.
/// Snapshots reference it; it is disposed (closing its connection pool) when the last snapshot using it is gone,
/// so in-flight requests keep working across a reload. A cluster whose config did not change is carried into the
/// next snapshot as is, keeping its pools and counters.
/// </summary>
public sealed class ClusterState : IDisposable
{
    private readonly EndpointState[] _endpoints;
    private int _references;

    public ClusterState(ClusterConfig config, IUpstreamHttpEngineFactory engineFactory, TimeProvider timeProvider, ClusterStats? stats = null)
    {
        Config = config;
        Stats = stats ?? new ClusterStats();
        _endpoints = config.Endpoints.Select(e => new EndpointState(e)).ToArray();
        // The seed only staggers where round-robin cycles start between proxies; picks take the caller's random.
        var seed = unchecked((ulong)ThreadLocalRandomFactory.Instance.CreateRandomInstance().NextInt64(long.MinValue, long.MaxValue));
        LoadBalancer = new ClusterLoadBalancer(_endpoints, config.LbPolicy, config.LoadBalancer, seed);
        Resources = new ClusterResources(config.CircuitBreakers, Stats.Resilience);
        HttpClient = new HttpMessageInvoker(new UpstreamRequestHandler(engineFactory.CreateHandler(config), timeProvider, ThreadLocalRandomFactory.Instance), disposeHandler: true);
    }

    public ClusterConfig Config { get; }

    public string Name => Config.Name;

    public IReadOnlyList<EndpointState> Endpoints => _endpoints;

    /// <summary>The client YARP sends through: our attempt layer over the configured HTTP engine.</summary>
    public HttpMessageInvoker HttpClient { get; }

    /// <summary>The cluster's counters; shared with earlier versions of the cluster through the stats registry.</summary>
    public ClusterStats Stats { get; }

    /// <summary>The circuit breakers: requests, retries and connections in flight, per routing priority.</summary>
    public ClusterResources Resources { get; }

    /// <summary>Priorities, localities and the endpoint picker; its Stats are the cluster's lb_* counters.</summary>
    public ClusterLoadBalancer LoadBalancer { get; }

    public bool IsOriginalDestination => Config.Type == ClusterType.OriginalDestination;

    /// <summary>Hears every attempt's outcome (outlier detection); set by the health subsystem. Default: nobody.</summary>
    public IEndpointOutcomeObserver OutcomeObserver { get; set; } = IEndpointOutcomeObserver.None;

    /// <summary>Picks an endpoint for a new request or connection; null when there is none (Envoy's UH).</summary>
    public EndpointState? PickEndpoint(Random random) => LoadBalancer.Pick(new LoadBalancerContext(random));

    /// <summary>Picks with a request's hash key and retry predicate; null when there is none (Envoy's UH).</summary>
    public EndpointState? PickEndpoint(in LoadBalancerContext context) => LoadBalancer.Pick(context);

    /// <summary>
    /// Tells the balancer where this proxy runs (node.locality) and which cluster is its own service (node.localCluster);
    /// needed by locality priorities, distribute and zone-aware routing. Call after each snapshot is built.
    /// </summary>
    public void UseLocality(LocalityConfig nodeLocality, ClusterState? localCluster) => LoadBalancer.SetLocality(nodeLocality, localCluster?.LoadBalancer);

    /// <summary>Recomputes priority loads, panic and locality weights at once; call after changing endpoint health flags.</summary>
    public void OnHealthChanged() => LoadBalancer.Refresh();

    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void ReleaseReference()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Dispose();
        }
    }

    public void Dispose() => HttpClient.Dispose();
}
