using MeshProxy.Listeners;
using MeshProxy.Routing;
using MeshProxy.Runtime;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;

namespace MeshProxy.Http;

/// <summary>
/// Everything the proxy decides and observes about one HTTP request: its route, cluster and endpoint,
/// response flags, and timings. Shared by the request path, the upstream handler and telemetry.
/// </summary>
public sealed class ProxyRequestContext
{
    /// <summary>How the upstream handler, which only sees the HttpRequestMessage, finds this context.</summary>
    public static readonly HttpRequestOptionsKey<ProxyRequestContext> OptionKey = new("meshproxy.request");

    public ProxyRequestContext(ProxySnapshot snapshot, DownstreamConnection connection, long startTimestamp)
    {
        Snapshot = snapshot;
        Connection = connection;
        StartTimestamp = startTimestamp;
    }

    public ProxySnapshot Snapshot { get; }

    public DownstreamConnection Connection { get; }

    /// <summary>TimeProvider timestamp of when the request arrived.</summary>
    public long StartTimestamp { get; }

    /// <summary>The listener handling chosen for this request by the connection's destination.</summary>
    public FilterChain? FilterChain { get; set; }

    public Route? Route { get; set; }

    public ClusterState? Cluster { get; set; }

    /// <summary>The endpoint of the latest attempt (the first pick until the attempt layer runs).</summary>
    public EndpointState? Endpoint { get; set; }

    /// <summary>Upstream attempts made: retries and hedges included (Envoy's UPSTREAM_REQUEST_ATTEMPT_COUNT).</summary>
    public int AttemptCount { get; set; }

    /// <summary>
    /// The endpoint whose response is going to the client; null when no attempt produced one. The attempt layer
    /// settles every other attempt itself; the request path settles this one when the response is done.
    /// </summary>
    public EndpointState? RespondingEndpoint { get; set; }

    /// <summary>The request body kept for retries, released when the request ends.</summary>
    internal Resilience.ReplayableRequestBody? ReplayableBody { get; set; }

    /// <summary>The winning attempt's cancellation source when retries ran; its response streams under it until the request ends.</summary>
    internal CancellationTokenSource? ResponseCancellation { get; set; }

    public ResponseFlags Flags { get; set; }

    /// <summary>Envoy's %RESPONSE_CODE_DETAILS% where the proxy answered for a reason the flags do not name (an authorization denial).</summary>
    public string? ResponseCodeDetails { get; set; }

    /// <summary>Envoy's reset reason for a failure before response headers ("connection failure", ...), for the local reply.</summary>
    public string? UpstreamResetReason { get; set; }

    /// <summary>From the end of the downstream request to the upstream's response headers (x-envoy-upstream-service-time).</summary>
    public TimeSpan? UpstreamServiceTime { get; set; }

    /// <summary>Cancelled when the route's max stream duration is reached; null when it has none.</summary>
    public CancellationTokenSource? MaxStreamDuration { get; set; }

    /// <summary>The route timeout and max stream duration together, when the route has the latter.</summary>
    internal CancellationTokenSource? UpstreamCancellation { get; set; }

    /// <summary>Cancelled when the route timeout expires; null when the route has no timeout.</summary>
    public CancellationTokenSource? RouteTimeout { get; set; }

    /// <summary>TimeProvider timestamp of when the downstream request body was fully received.</summary>
    public long RequestCompleteTimestamp { get; set; }

    /// <summary>Counts the request body when its length is not known up front; null otherwise.</summary>
    internal ObservedStream? RequestBody { get; set; }

    /// <summary>Counts the response body when the upstream sent no Content-Length; null otherwise.</summary>
    internal ObservedStream? ResponseBody { get; set; }

    /// <summary>The request's span, when tracing is on and the request is traced.</summary>
    public System.Diagnostics.Activity? Span { get; set; }
}
