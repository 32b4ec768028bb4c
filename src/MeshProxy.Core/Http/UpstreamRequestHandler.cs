using MeshProxy.Resilience;
using MeshProxy.Utilities;

namespace MeshProxy.Http;

/// <summary>
/// The attempt layer between YARP's forwarder and the HTTP engine: every upstream attempt of a request passes here,
/// below routing and above the engine. A route without a retry policy takes the fast path: one attempt, its request
/// body streamed as it arrives. A route with one runs the <see cref="AttemptLoop"/> (retries, per-try timeouts,
/// hedging). Either way it accounts each attempt, adds Envoy's per-attempt headers, and measures the upstream
/// service time.
/// </summary>
internal sealed class UpstreamRequestHandler : DelegatingHandler
{
    private readonly TimeProvider _timeProvider;
    private readonly IRandomFactory _randomFactory;
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _sendToEngine;

    public UpstreamRequestHandler(HttpMessageHandler engine, TimeProvider timeProvider, IRandomFactory randomFactory)
        : base(engine)
    {
        _timeProvider = timeProvider;
        _randomFactory = randomFactory;
        _sendToEngine = SendToEngineAsync;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(ProxyRequestContext.OptionKey, out var context) || context.Endpoint is null || context.Cluster is null)
        {
            return SendToEngineAsync(request, cancellationToken);
        }
        var route = context.Route?.Resilience ?? RouteResilience.None;
        return route.Retry is null ? SendOnceAsync(request, context, route, cancellationToken) : SendWithPolicyAsync(request, context, route, cancellationToken);
    }

    /// <summary>The fast path: one attempt, nothing kept for replay, one async step per request.</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, ProxyRequestContext context, RouteResilience route, CancellationToken cancellationToken)
    {
        var endpoint = context.Endpoint!;
        AttemptAccounting.Started(context, endpoint);
        UpstreamRequestHeaders.Set(request, context, route, _timeProvider);
        if (request.Content is { } content and not FlushingRequestContent)
        {
            request.Content = new FlushingRequestContent(content);
        }
        try
        {
            var response = await SendToEngineAsync(request, cancellationToken);
            context.RespondingEndpoint = endpoint;
            RecordUpstreamServiceTime(context);
            return response;
        }
        catch (Exception ex)
        {
            AttemptAccounting.Failed(context, endpoint, ex, cancellationToken);
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendWithPolicyAsync(HttpRequestMessage request, ProxyRequestContext context, RouteResilience route, CancellationToken cancellationToken)
    {
        var response = await new AttemptLoop(_sendToEngine, request, context, route, _timeProvider, _randomFactory.CreateRandomInstance(), cancellationToken).RunAsync();
        RecordUpstreamServiceTime(context);
        return response;
    }

    /// <summary>x-envoy-upstream-service-time: from the end of the downstream request (or its start) to the upstream's response headers.</summary>
    private void RecordUpstreamServiceTime(ProxyRequestContext context)
    {
        var from = context.RequestCompleteTimestamp != 0 ? context.RequestCompleteTimestamp : context.StartTimestamp;
        context.UpstreamServiceTime = _timeProvider.GetElapsedTime(from);
    }

    private Task<HttpResponseMessage> SendToEngineAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);
}
