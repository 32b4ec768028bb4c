using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.LoadBalancing;

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
    private readonly IEndpointPicker _picker;
    private int _references;

    public ClusterState(ClusterConfig config, IUpstreamHttpEngineFactory engineFactory, TimeProvider timeProvider)
    {
        Config = config;
        _endpoints = config.Endpoints.Select(e => new EndpointState(e)).ToArray();
        _picker = EndpointPickerFactory.Create(config.LbPolicy);
        HttpClient = new HttpMessageInvoker(new UpstreamRequestHandler(engineFactory.CreateHandler(config), timeProvider), disposeHandler: true);
    }

    public ClusterConfig Config { get; }

    public string Name => Config.Name;

    public IReadOnlyList<EndpointState> Endpoints => _endpoints;

    /// <summary>The client YARP sends through: our attempt layer over the configured HTTP engine.</summary>
    public HttpMessageInvoker HttpClient { get; }

    public ClusterStats Stats { get; } = new();

    public bool IsOriginalDestination => Config.Type == ClusterType.OriginalDestination;

    /// <summary>Picks an endpoint for a new request or connection; null when there is none (Envoy's UH).</summary>
    public EndpointState? PickEndpoint(Random random) => _picker.Pick(_endpoints, random);

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
