using System.Globalization;
using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.Listeners;
using MeshProxy.Security;
using MeshProxy.Telemetry.AccessLog;
using MeshProxy.Telemetry.Istio;
using MeshProxy.Telemetry.Tracing;
using MeshProxy.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MeshProxy.Telemetry;

/// <summary>
/// Where a finished request or TCP connection is reported: Istio's metrics, the Envoy-style listener counters, the
/// access log and the span. Called once per request and once per connection, after the response is done, so none of
/// it delays the response; with the access log and tracing off, reporting is a few lookups and counter updates.
/// </summary>
public sealed class ProxyTelemetry
{
    private readonly IstioMetrics _metrics;
    private readonly IstioLabelCache _labels = new();
    private readonly AccessLogWriter _accessLog;
    private readonly StatsRegistry _stats;
    private readonly TimeProvider _timeProvider;
    private readonly MeshIdentity _identity;

    internal ProxyTelemetry(ProxyMetrics metrics, AccessLogWriter accessLog, RequestTracer tracer, StatsRegistry stats, MeshIdentity identity, TimeProvider timeProvider)
    {
        _identity = identity;
        _metrics = metrics.Istio;
        _accessLog = accessLog;
        Tracer = tracer;
        _stats = stats;
        _timeProvider = timeProvider;
    }

    public RequestTracer Tracer { get; }

    public void RequestCompleted(HttpContext httpContext, ProxyRequestContext context)
    {
        var elapsed = _timeProvider.GetElapsedTime(context.StartTimestamp);
        var response = httpContext.Response;
        var request = httpContext.Request;
        // A client that left before any response got none: Envoy's response code 0.
        var statusCode = response.HasStarted || !httpContext.RequestAborted.IsCancellationRequested ? response.StatusCode : 0;
        var grpcStatus = GrpcStatus(httpContext);
        var requestBytes = context.RequestBody?.Bytes ?? request.ContentLength ?? 0;
        var responseBytes = context.ResponseBody?.Bytes ?? response.ContentLength ?? 0;
        var connection = context.Connection;

        _stats.Listener(connection.Listener.Name).RequestCompleted(statusCode);
        var key = SeriesKey(context.Snapshot.Config.Node, connection, context.Cluster, context.Endpoint,
            grpcStatus >= 0 ? RequestProtocol.Grpc : RequestProtocol.Http, statusCode, context.Flags, grpcStatus);
        _metrics.RecordRequest(key, elapsed.TotalMilliseconds, requestBytes, responseBytes);

        if (context.Span is { } span)
        {
            RequestTracer.StopRequest(span, statusCode, context.Route?.DisplayName, context.Cluster?.Name, context.Endpoint?.AddressText, context.Flags);
        }
        if (_accessLog.Enabled)
        {
            _accessLog.TryEnqueue(new AccessLogEntry
            {
                StartTime = _timeProvider.GetUtcNow() - elapsed,
                Direction = connection.Listener.Direction == TrafficDirection.Inbound ? "inbound" : "outbound",
                Protocol = request.Protocol,
                Method = request.Method,
                Path = request.Path.Value + request.QueryString.Value,
                ResponseCode = statusCode,
                ResponseFlags = context.Flags,
                ResponseCodeDetails = context.ResponseCodeDetails,
                BytesReceived = requestBytes,
                BytesSent = responseBytes,
                DurationMilliseconds = elapsed.TotalMilliseconds,
                UpstreamServiceTimeMilliseconds = context.UpstreamServiceTime?.TotalMilliseconds,
                ForwardedFor = NullIfEmpty(request.Headers["x-forwarded-for"].ToString()),
                UserAgent = NullIfEmpty(request.Headers.UserAgent.ToString()),
                RequestId = NullIfEmpty(request.Headers["x-request-id"].ToString()),
                Authority = NullIfEmpty(request.Host.Value),
                UpstreamHost = context.Endpoint?.AddressText,
                UpstreamCluster = context.Cluster?.Name,
                RouteName = context.Route?.Config.Name,
                DownstreamRemoteAddress = connection.RemoteAddressText,
                DownstreamLocalAddress = connection.DestinationAddressText,
                PeerPrincipal = connection.PeerPrincipal,
                RequestedServerName = connection.ServerName,
                UpstreamFailureReason = context.UpstreamResetReason,
            });
        }
    }

    /// <summary>Reports an opened TCP relay (istio_tcp_connections_opened_total).</summary>
    public void TcpConnectionOpened(NodeConfig node, DownstreamConnection connection, ClusterState cluster, EndpointState endpoint)
        => _metrics.TcpConnectionOpened(SeriesKey(node, connection, cluster, endpoint, RequestProtocol.Tcp, 0, ResponseFlags.None, -1));

    /// <summary>
    /// Reports a finished TCP connection. A connection that never reached an upstream (no endpoint, connect failure)
    /// is reported as opened and closed at once, with its response flag, as Envoy's tcp_proxy does.
    /// </summary>
    public void TcpConnectionClosed(NodeConfig node, DownstreamConnection connection, ClusterState? cluster, EndpointState? endpoint,
        ResponseFlags flags, long sentToClient, long receivedFromClient, long startTimestamp, bool wasOpened)
    {
        var key = SeriesKey(node, connection, cluster, endpoint, RequestProtocol.Tcp, 0, flags, -1);
        if (!wasOpened)
        {
            _metrics.TcpConnectionOpened(key);
        }
        _metrics.TcpConnectionClosed(key, sentToClient, receivedFromClient);
        if (_accessLog.Enabled)
        {
            var elapsed = _timeProvider.GetElapsedTime(startTimestamp);
            _accessLog.TryEnqueue(new AccessLogEntry
            {
                StartTime = _timeProvider.GetUtcNow() - elapsed,
                Direction = connection.Listener.Direction == TrafficDirection.Inbound ? "inbound" : "outbound",
                Protocol = "TCP",
                ResponseFlags = flags,
                BytesReceived = receivedFromClient,
                BytesSent = sentToClient,
                DurationMilliseconds = elapsed.TotalMilliseconds,
                UpstreamHost = endpoint?.AddressText,
                UpstreamCluster = cluster?.Name,
                DownstreamRemoteAddress = connection.RemoteAddressText,
                DownstreamLocalAddress = connection.DestinationAddressText,
                PeerPrincipal = connection.PeerPrincipal,
                RequestedServerName = connection.ServerName,
            });
        }
    }

    private IstioSeriesKey SeriesKey(NodeConfig node, DownstreamConnection connection, ClusterState? cluster, EndpointState? endpoint,
        RequestProtocol protocol, int statusCode, ResponseFlags flags, int grpcStatus)
    {
        var (local, localService) = _labels.Local(node, _identity.Id?.ToString());
        if (connection.Listener.Direction == TrafficDirection.Inbound)
        {
            // Reported by the destination: the caller is known by its mTLS identity, if any.
            return new IstioSeriesKey(reporterIsDestination: true, _labels.Peer(connection.PeerPrincipal), local, localService,
                protocol, statusCode, flags, grpcStatus, mutualTls: connection.PeerPrincipal is not null);
        }
        var (destination, service) = cluster is null ? (WorkloadLabels.Unknown, IstioLabelCache.NoService) : _labels.Destination(cluster, endpoint);
        return new IstioSeriesKey(reporterIsDestination: false, local, destination, service, protocol, statusCode, flags, grpcStatus, mutualTls: false);
    }

    /// <summary>The gRPC status of a gRPC response (from the trailers, or the headers of a trailers-only response); -1 otherwise.</summary>
    private static int GrpcStatus(HttpContext httpContext)
    {
        if (httpContext.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            return -1;
        }
        var value = httpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString();
        if (string.IsNullOrEmpty(value))
        {
            value = httpContext.Response.Headers["grpc-status"].ToString();
        }
        // No status at all: the stream failed before one was sent; gRPC clients then see UNKNOWN (2).
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : 2;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
