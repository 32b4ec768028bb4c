namespace MeshProxy.Http;

/// <summary>
/// The attempt layer between YARP's forwarder and the HTTP engine. It sees each upstream attempt of a request
/// with the request's <see cref="ProxyRequestContext"/>; retries, hedging and per-try timeouts hook in here,
/// below routing and above the engine. It measures the upstream service time, and makes request bodies stream.
/// </summary>
internal sealed class UpstreamRequestHandler : DelegatingHandler
{
    private readonly TimeProvider _timeProvider;

    public UpstreamRequestHandler(HttpMessageHandler engine, TimeProvider timeProvider)
        : base(engine)
    {
        _timeProvider = timeProvider;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content and not FlushingRequestContent)
        {
            request.Content = new FlushingRequestContent(content);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Options.TryGetValue(ProxyRequestContext.OptionKey, out var context))
        {
            var from = context.RequestCompleteTimestamp != 0 ? context.RequestCompleteTimestamp : context.StartTimestamp;
            context.UpstreamServiceTime = _timeProvider.GetElapsedTime(from);
        }
        return response;
    }
}
