using MeshProxy.Listeners;
using MeshProxy.LoadBalancing;
using MeshProxy.Runtime;
using MeshProxy.Security.Authorization;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MeshProxy.Http;

/// <summary>
/// The L7 request path: route by Host and path, pick a cluster and an endpoint, forward through YARP, and turn
/// failures into Envoy's local replies (404 NR, 503 UH/UF/UC, 504 UT). Each request leases the snapshot that is
/// current when it arrives and keeps it to the end.
/// </summary>
public sealed partial class HttpProxy
{
    private const string RequestIdHeader = "x-request-id";

    private readonly IHttpForwarder _forwarder;
    private readonly ConfigManager _configManager;
    private readonly ProxyTelemetry _telemetry;
    private readonly ProxyHttpTransformer _transformer;
    private readonly IRandomFactory _randomFactory;
    private readonly InboundAuthorization _authorization;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HttpProxy> _logger;

    public HttpProxy(IHttpForwarder forwarder, ConfigManager configManager, ProxyTelemetry telemetry, IRandomFactory randomFactory,
        InboundAuthorization authorization, TimeProvider timeProvider, ILogger<HttpProxy> logger)
    {
        _authorization = authorization;
        _forwarder = forwarder;
        _configManager = configManager;
        _telemetry = telemetry;
        _transformer = new ProxyHttpTransformer(telemetry.Tracer);
        _randomFactory = randomFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task ProxyAsync(HttpContext httpContext, DownstreamConnection connection)
    {
        var snapshot = _configManager.Acquire();
        var context = new ProxyRequestContext(snapshot, connection, _timeProvider.GetTimestamp());
        httpContext.Features.Set(context);
        context.Span = _telemetry.Tracer.StartRequest(httpContext, connection.Listener.Direction);
        try
        {
            await RouteAndForwardAsync(httpContext, context);
        }
        finally
        {
            _telemetry.RequestCompleted(httpContext, context);
            context.RouteTimeout?.Dispose();
            context.UpstreamCancellation?.Dispose();
            context.MaxStreamDuration?.Dispose();
            context.ResponseCancellation?.Dispose();
            context.ReplayableBody?.Dispose();
            snapshot.Release();
        }
    }

    private async Task RouteAndForwardAsync(HttpContext httpContext, ProxyRequestContext context)
    {
        var snapshot = context.Snapshot;
        var request = httpContext.Request;
        // Routing follows reloads: the chain is chosen again from the current snapshot for every request. A connection
        // whose listener is gone keeps the handling it was accepted with.
        var connection = context.Connection;
        var chain = snapshot.Listeners.TryGetValue(connection.Listener.Name, out var listener)
            ? listener.SelectFilterChain(connection.RoutingDestination)
            : connection.FilterChain;
        context.FilterChain = chain;
        if (chain.IsBlackHole)
        {
            // Istio's REGISTRY_ONLY: HTTP to a destination the mesh does not know is answered with 502.
            await LocalReply.WriteAsync(httpContext, StatusCodes.Status502BadGateway, "");
            return;
        }
        // Envoy's RBAC filter runs before the router: a denied request is never routed.
        var decision = _authorization.Authorize(snapshot, connection, request.Method, request.Path.Value);
        if (!decision.IsAllowed)
        {
            context.ResponseCodeDetails = decision.DeniedDetails;
            await LocalReply.WriteAsync(httpContext, StatusCodes.Status403Forbidden, LocalReply.AccessDenied);
            return;
        }
        var route = chain.Http is { } http && snapshot.RouteTables.TryGetValue(http.RouteTable, out var table)
            ? table.FindVirtualHost(request.Host.Value)?.FindRoute(request.Path.Value ?? "/", request.Headers)
            : null;
        if (route is null)
        {
            context.Flags |= ResponseFlags.NoRouteFound;
            Log.NoRoute(_logger, connection.Listener.Name, request.Host.Value ?? "", request.Path.Value ?? "");
            await LocalReply.WriteAsync(httpContext, StatusCodes.Status404NotFound, "");
            return;
        }
        context.Route = route;
        if (route.Config.DirectResponse is { } direct)
        {
            await LocalReply.WriteAsync(httpContext, direct.Status, direct.Body);
            return;
        }

        var random = _randomFactory.CreateRandomInstance();
        var cluster = snapshot.Clusters[route.PickCluster(random)];
        context.Cluster = cluster;
        var endpoint = cluster.IsOriginalDestination
            ? context.Connection.GetOriginalDestinationEndpoint(cluster)
            : cluster.PickEndpoint(new LoadBalancerContext(random,
                RequestHash.Compute(cluster.Config.LoadBalancer.Hash, request.Headers, context.Connection.RemoteEndPoint?.Address)));
        if (endpoint is null)
        {
            context.Flags |= ResponseFlags.NoHealthyUpstream;
            await LocalReply.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, LocalReply.NoHealthyUpstream);
            return;
        }
        context.Endpoint = endpoint;

        if (chain.Http!.GenerateRequestId && !request.Headers.ContainsKey(RequestIdHeader))
        {
            request.Headers[RequestIdHeader] = Guid.NewGuid().ToString();
        }
        ObserveRequestBody(httpContext, context);

        // Envoy's max_requests circuit breaker: a full cluster answers at once instead of queueing.
        var limits = cluster.Resources.For(route.Resilience.Priority);
        if (!limits.TryStartRequest())
        {
            context.Flags |= ResponseFlags.UpstreamOverflow;
            await LocalReply.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, LocalReply.ResetBeforeHeaders("overflow"), overloaded: true);
            return;
        }
        try
        {
            var requestConfig = ForwarderRequestConfigs.For(route.Config.IdleTimeout, cluster.Config.HttpProtocol, request.Protocol);
            var error = await _forwarder.SendAsync(httpContext, endpoint.DestinationPrefix, cluster.HttpClient, requestConfig,
                _transformer, UpstreamToken(context));
            if (error != ForwarderError.None)
            {
                await HandleForwarderErrorAsync(httpContext, context, error);
            }
            // Attempts that did not answer the client were settled by the attempt layer; this one is settled here, once
            // its response has been forwarded.
            if (context.RespondingEndpoint is { } responding)
            {
                var statusCode = httpContext.Response.StatusCode;
                cluster.Stats.RequestFinished(statusCode);
                responding.RequestFinished(failed: statusCode >= 500 || error != ForwarderError.None);
                cluster.OutcomeObserver.OnOutcome(responding, Outcome(context, statusCode));
            }
        }
        finally
        {
            limits.EndRequest();
        }
    }

    /// <summary>The token that ends the upstream exchange: the route timeout, and the route's max stream duration when it has one.</summary>
    private CancellationToken UpstreamToken(ProxyRequestContext context)
    {
        var routeTimeout = context.RouteTimeout?.Token ?? CancellationToken.None;
        if (context.Route!.Config.MaxStreamDuration is not { Ticks: > 0 } maxDuration)
        {
            return routeTimeout;
        }
        context.MaxStreamDuration = new CancellationTokenSource(maxDuration, _timeProvider);
        context.UpstreamCancellation = CancellationTokenSource.CreateLinkedTokenSource(routeTimeout, context.MaxStreamDuration.Token);
        return context.UpstreamCancellation.Token;
    }

    /// <summary>
    /// Arms Envoy's route timeout, which runs from the end of the downstream request to the end of the upstream
    /// response: a request without a body is complete now; otherwise the clock starts when the body has been read.
    /// The body is wrapped only when that is needed, or when its size is not known up front (for istio_request_bytes).
    /// </summary>
    private void ObserveRequestBody(HttpContext httpContext, ProxyRequestContext context)
    {
        var timeout = context.Route!.Config.Timeout;
        var canHaveBody = httpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
        var source = timeout > TimeSpan.Zero ? new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider) : null;
        context.RouteTimeout = source;
        if (!canHaveBody)
        {
            context.RequestCompleteTimestamp = _timeProvider.GetTimestamp();
            source?.CancelAfter(timeout);
            return;
        }
        if (source is null && httpContext.Request.ContentLength is not null)
        {
            return;
        }
        var body = new ObservedStream(httpContext.Request.Body, () =>
        {
            context.RequestCompleteTimestamp = _timeProvider.GetTimestamp();
            try
            {
                source?.CancelAfter(timeout);
            }
            catch (ObjectDisposedException)
            {
                // The request finished while its body was still being read.
            }
        });
        context.RequestBody = body;
        httpContext.Request.Body = body;
    }

    /// <summary>What outlier detection hears: the upstream's status, or the local-origin failure behind a local reply.</summary>
    private static EndpointOutcome Outcome(ProxyRequestContext context, int statusCode)
    {
        var flags = context.Flags;
        if ((flags & ResponseFlags.UpstreamConnectionFailure) != 0)
        {
            return EndpointOutcome.Failure(LocalOriginFailure.ConnectFailed);
        }
        if ((flags & ResponseFlags.UpstreamRequestTimeout) != 0)
        {
            return EndpointOutcome.Failure(LocalOriginFailure.Timeout);
        }
        if ((flags & (ResponseFlags.UpstreamRemoteReset | ResponseFlags.UpstreamConnectionTermination | ResponseFlags.UpstreamProtocolError)) != 0)
        {
            return EndpointOutcome.Failure(LocalOriginFailure.Reset);
        }
        return EndpointOutcome.Response(statusCode);
    }

    private async Task HandleForwarderErrorAsync(HttpContext httpContext, ProxyRequestContext context, ForwarderError error)
    {
        var exception = httpContext.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (error is ForwarderError.ResponseBodyDestination or ForwarderError.UpgradeResponseDestination or ForwarderError.UpgradeRequestDestination)
        {
            // The upstream failed mid-response. YARP has already reset the client's stream (HTTP/2) or closed its
            // connection (HTTP/1.1), which is how the failure reaches the client.
            var (flag, reason, _) = UpstreamFailure.Classify(exception);
            context.Flags |= flag == ResponseFlags.UpstreamConnectionTermination ? flag : ResponseFlags.UpstreamRemoteReset;
            Log.ResetMidResponse(_logger, context.Cluster!.Name, context.Endpoint!.Address, reason,
                httpContext.Request.Headers[RequestIdHeader].ToString());
            return;
        }
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            context.Flags |= ResponseFlags.DownstreamConnectionTermination;
            return;
        }
        if (context.RouteTimeout?.IsCancellationRequested == true)
        {
            context.Flags |= ResponseFlags.UpstreamRequestTimeout;
            context.Cluster!.Stats.Resilience.RequestTimedOut();
            await LocalReply.WriteAsync(httpContext, StatusCodes.Status504GatewayTimeout, LocalReply.UpstreamRequestTimeout);
            return;
        }
        if (context.MaxStreamDuration?.IsCancellationRequested == true)
        {
            // Envoy: 504 when the whole request had arrived, 408 while the client was still sending.
            context.Flags |= ResponseFlags.UpstreamMaxStreamDurationReached;
            context.Cluster!.Stats.Resilience.MaxDurationWasReached();
            var status = context.RequestCompleteTimestamp != 0 ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status408RequestTimeout;
            await LocalReply.WriteAsync(httpContext, status, LocalReply.MaxStreamDurationReached);
            return;
        }

        switch (error)
        {
            case ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.RequestBodyDestination or ForwarderError.ResponseHeaders:
            {
                var (flag, reason, statusCode) = UpstreamFailure.Classify(exception);
                context.Flags |= flag;
                context.UpstreamResetReason = reason;
                Log.UpstreamFailed(_logger, context.Cluster!.Name, context.Endpoint!.Address, reason, exception?.Message ?? error.ToString());
                var body = flag == ResponseFlags.UpstreamRequestTimeout
                    ? LocalReply.UpstreamRequestTimeout
                    : LocalReply.ResetBeforeHeaders(reason, retried: context.AttemptCount > 1);
                await LocalReply.WriteAsync(httpContext, statusCode, body, overloaded: flag == ResponseFlags.UpstreamOverflow);
                break;
            }
            case ForwarderError.RequestTimedOut:
                context.Flags |= ResponseFlags.StreamIdleTimeout;
                await LocalReply.WriteAsync(httpContext, StatusCodes.Status504GatewayTimeout, LocalReply.UpstreamRequestTimeout);
                break;
            default:
                // The client's side failed (it sent a bad body or went away); YARP has answered or aborted it already.
                context.Flags |= ResponseFlags.DownstreamConnectionTermination;
                break;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NoRoute, Level = LogLevel.Debug,
            Message = "Listener {Listener}: no route for host '{Host}' path '{Path}' (404 NR)")]
        public static partial void NoRoute(ILogger logger, string listener, string host, string path);

        [LoggerMessage(EventId = EventIds.UpstreamRequestFailed, Level = LogLevel.Warning,
            Message = "Cluster {Cluster}: request to {Endpoint} failed before response headers: {Reason} ({Detail})")]
        public static partial void UpstreamFailed(ILogger logger, string cluster, System.Net.IPEndPoint endpoint, string reason, string detail);

        [LoggerMessage(EventId = EventIds.UpstreamResetMidResponse, Level = LogLevel.Warning,
            Message = "Cluster {Cluster}: {Endpoint} ended the response mid-stream ({Reason}); the client's stream was reset. x-request-id={RequestId}")]
        public static partial void ResetMidResponse(ILogger logger, string cluster, System.Net.IPEndPoint endpoint, string reason, string requestId);
    }
}
