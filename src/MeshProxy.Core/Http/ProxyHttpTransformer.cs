using System.Globalization;
using System.Net;
using MeshProxy.Security;
using MeshProxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace MeshProxy.Http;

/// <summary>
/// Header handling on the way through. YARP copies the headers and strips hop-by-hop ones; on top of that the proxy
/// keeps the client's Host (a sidecar is transparent), adds x-forwarded-for and x-forwarded-proto, sets
/// x-forwarded-client-cert, hands the
/// request context to the upstream handler, and reports x-envoy-upstream-service-time.
/// </summary>
internal sealed class ProxyHttpTransformer : HttpTransformer
{
    private readonly RequestTracer _tracer;

    public ProxyHttpTransformer(RequestTracer tracer) => _tracer = tracer;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var context = httpContext.Features.GetRequiredFeature<ProxyRequestContext>();
        proxyRequest.Options.Set(ProxyRequestContext.OptionKey, context);

        var host = httpContext.Request.Host;
        if (host.HasValue)
        {
            proxyRequest.Headers.Host = host.Value;
        }

        SetForwardedClientCert(httpContext, proxyRequest, context.Connection.ForwardedClientCert);
        if (context.FilterChain?.Http is { ForwardedHeaders: true })
        {
            AddForwardedHeaders(httpContext, proxyRequest, context.Connection.IsTlsTerminated);
        }
        if (context.Span is { } span)
        {
            _tracer.InjectUpstream(span, proxyRequest);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var context = httpContext.Features.Get<ProxyRequestContext>();
        if (proxyResponse is null || context is null)
        {
            return proceed;
        }
        if (proxyResponse.StatusCode == HttpStatusCode.SwitchingProtocols || httpContext.Request.Method == HttpMethods.Connect)
        {
            // An upgraded connection (WebSocket) lives as long as its peers want; the route timeout covers requests only.
            context.RouteTimeout?.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        if (proxyResponse.Content.Headers.ContentLength is null && !HttpMethods.IsHead(httpContext.Request.Method))
        {
            // No Content-Length: count the body as it streams, for istio_response_bytes.
            var body = new ObservedStream(httpContext.Response.Body);
            context.ResponseBody = body;
            httpContext.Response.Body = body;
        }
        if (context.UpstreamServiceTime is { } serviceTime)
        {
            httpContext.Response.Headers["x-envoy-upstream-service-time"] = ((long)serviceTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }
        return proceed;
    }

    /// <summary>
    /// Envoy's forward_client_cert_details as Istio sets it: on an mTLS connection the client's element is appended
    /// (APPEND_FORWARD); otherwise any XFCC the client sent is removed, since nothing vouches for it (SANITIZE).
    /// </summary>
    private static void SetForwardedClientCert(HttpContext httpContext, HttpRequestMessage proxyRequest, string? element)
    {
        proxyRequest.Headers.Remove(ForwardedClientCert.HeaderName);
        if (element is null)
        {
            return;
        }
        var existing = httpContext.Request.Headers[ForwardedClientCert.HeaderName];
        var value = StringValues.IsNullOrEmpty(existing) ? element : string.Join(",", (IEnumerable<string?>)existing) + "," + element;
        proxyRequest.Headers.TryAddWithoutValidation(ForwardedClientCert.HeaderName, value);
    }

    private static void AddForwardedHeaders(HttpContext httpContext, HttpRequestMessage proxyRequest, bool isTls)
    {
        if (httpContext.Connection.RemoteIpAddress is { } clientAddress)
        {
            var client = clientAddress.IsIPv4MappedToIPv6 ? clientAddress.MapToIPv4().ToString() : clientAddress.ToString();
            var existing = httpContext.Request.Headers["x-forwarded-for"];
            var value = StringValues.IsNullOrEmpty(existing) ? client : string.Join(", ", (IEnumerable<string?>)existing) + ", " + client;
            proxyRequest.Headers.Remove("x-forwarded-for");
            proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-for", value);
        }
        proxyRequest.Headers.Remove("x-forwarded-proto");
        proxyRequest.Headers.TryAddWithoutValidation("x-forwarded-proto", isTls ? "https" : "http");
    }
}
