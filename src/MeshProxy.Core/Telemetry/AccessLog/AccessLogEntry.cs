namespace MeshProxy.Telemetry.AccessLog;

/// <summary>
/// One access-log line's data, captured on the hot path as plain values; formatting happens later, off the hot path.
/// Field names follow Envoy's command operators (START_TIME, RESPONSE_FLAGS, UPSTREAM_HOST, ...).
/// </summary>
public sealed class AccessLogEntry
{
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>"HTTP/1.1", "HTTP/2" or "TCP".</summary>
    public required string Protocol { get; init; }

    public string? Method { get; init; }

    /// <summary>Path and query as the client sent them.</summary>
    public string? Path { get; init; }

    public int ResponseCode { get; init; }

    public ResponseFlags ResponseFlags { get; init; }

    /// <summary>Envoy's RESPONSE_CODE_DETAILS, when the proxy recorded one (e.g. rbac_access_denied_matched_policy[none]).</summary>
    public string? ResponseCodeDetails { get; init; }

    public long BytesReceived { get; init; }

    public long BytesSent { get; init; }

    public double DurationMilliseconds { get; init; }

    /// <summary>x-envoy-upstream-service-time: the upstream's share of the duration, when known.</summary>
    public double? UpstreamServiceTimeMilliseconds { get; init; }

    public string? ForwardedFor { get; init; }

    public string? UserAgent { get; init; }

    public string? RequestId { get; init; }

    public string? Authority { get; init; }

    public string? UpstreamHost { get; init; }

    public string? UpstreamCluster { get; init; }

    public string? RouteName { get; init; }

    public string? DownstreamRemoteAddress { get; init; }

    public string? DownstreamLocalAddress { get; init; }

    /// <summary>The client's SPIFFE ID when it authenticated with mTLS.</summary>
    public string? PeerPrincipal { get; init; }

    /// <summary>SNI from the client's TLS ClientHello, when there was one.</summary>
    public string? RequestedServerName { get; init; }

    /// <summary>"inbound" or "outbound".</summary>
    public required string Direction { get; init; }

    /// <summary>Why an upstream failed before responding (Envoy's UPSTREAM_TRANSPORT_FAILURE_REASON), if it did.</summary>
    public string? UpstreamFailureReason { get; init; }
}
