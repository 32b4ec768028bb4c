using System.Net;
using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>A port the proxy accepts connections on, and what it does with each detected protocol.</summary>
public sealed record ListenerConfig
{
    /// <summary>Unique name, used in logs, stats and the config dump. Required.</summary>
    public required string Name { get; init; }

    /// <summary>The ip:port to bind. Required.</summary>
    public required IPEndPoint Address { get; init; }

    /// <summary>
    /// Whether connections arrive through iptables capture. Outbound and inbound capture listeners read the
    /// original destination (SO_ORIGINAL_DST) and refuse connections that were not redirected. Default: none.
    /// </summary>
    public CaptureMode Capture { get; init; } = CaptureMode.None;

    /// <summary>
    /// Whether the listener carries the app's outbound calls or calls into the app (Envoy's traffic_direction). It sets
    /// the "reporter" of Istio's metrics (source or destination). Default: inbound for capture: inbound, else outbound.
    /// </summary>
    public TrafficDirection? TrafficDirection { get; init; }

    /// <summary>The effective direction.</summary>
    public TrafficDirection Direction => TrafficDirection ?? (Capture == CaptureMode.Inbound ? Configuration.TrafficDirection.Inbound : Configuration.TrafficDirection.Outbound);

    /// <summary>Which protocol to expect; auto sniffs the first bytes. Default: auto.</summary>
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Auto;

    /// <summary>
    /// How long to wait for the client's first bytes before giving up on detection; on a tls listener, for its whole
    /// ClientHello. Default 15s (Envoy's listener_filters_timeout).
    /// </summary>
    public TimeSpan DetectionTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// What to do when detection times out: close the connection (Envoy's default) or treat it as opaque TCP,
    /// which server-first protocols (MySQL, SMTP) need. Default: close.
    /// </summary>
    public DetectionTimeoutAction OnDetectionTimeout { get; init; } = DetectionTimeoutAction.Close;

    /// <summary>
    /// Handling for connections to particular destinations, chosen by their (original) destination address and port.
    /// A connection that matches none gets the listener's default handling: <see cref="Http"/> and <see cref="Tcp"/>.
    /// </summary>
    public EquatableArray<FilterChainConfig> FilterChains { get; init; } = EquatableArray<FilterChainConfig>.Empty;

    /// <summary>
    /// On outbound capture listeners, what happens to traffic that matches no filter chain (Istio's
    /// outboundTrafficPolicy): allowAny uses the default handling (normally a passthrough to the original destination);
    /// registryOnly answers HTTP with 502 and closes other connections. Default: allowAny.
    /// </summary>
    public OutboundPolicy OutboundPolicy { get; init; } = OutboundPolicy.AllowAny;

    /// <summary>Default TLS mode for connections no filter chain matches. Default: disable.</summary>
    public DownstreamTlsConfig Tls { get; init; } = new();

    /// <summary>Default handling of HTTP (HTTP/1.1 and h2c). Null: HTTP is forwarded as opaque TCP.</summary>
    public HttpListenerConfig? Http { get; init; }

    /// <summary>
    /// Default handling of opaque TCP (and TLS that is not terminated). Null: such connections are closed.
    /// On a tls listener: where TLS whose server name matches no route goes (a default cluster).
    /// </summary>
    public TcpListenerConfig? Tcp { get; init; }

    /// <summary>
    /// On tls listeners, Istio's AUTO_PASSTHROUGH: server names <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;fqdn&gt;</c>
    /// go to the cluster that declares that service, port and subset. Null: off.
    /// </summary>
    public AutoPassthroughConfig? AutoPassthrough { get; init; }
}

/// <summary>What a capture listener does with traffic to destinations no filter chain knows.</summary>
public enum OutboundPolicy
{
    /// <summary>Let it through, using the listener's default handling (Istio's ALLOW_ANY).</summary>
    AllowAny,

    /// <summary>Block it: HTTP gets 502, other connections are closed (Istio's REGISTRY_ONLY).</summary>
    RegistryOnly,
}

/// <summary>Which way a listener's traffic flows relative to the app beside the proxy.</summary>
public enum TrafficDirection
{
    /// <summary>The app's calls to other services (the proxy reports as "source").</summary>
    Outbound,

    /// <summary>Other services' calls to the app (the proxy reports as "destination").</summary>
    Inbound,
}

/// <summary>How connections reach a listener.</summary>
public enum CaptureMode
{
    /// <summary>Clients connect to the listener directly.</summary>
    None,

    /// <summary>The app's outbound connections, redirected by iptables to this listener (port 15001).</summary>
    Outbound,

    /// <summary>Connections to the app's ports, redirected by iptables to this listener (port 15006).</summary>
    Inbound,
}

/// <summary>The protocol a listener expects.</summary>
public enum ListenerProtocol
{
    /// <summary>Sniff the first bytes: HTTP/1.x, HTTP/2 prior knowledge, a TLS ClientHello, or opaque TCP.</summary>
    Auto,

    /// <summary>Every connection is HTTP; no sniffing.</summary>
    Http,

    /// <summary>Every connection is opaque TCP; no sniffing, so server-first protocols work at once.</summary>
    Tcp,

    /// <summary>
    /// Every connection opens with a TLS ClientHello, which is read (Envoy's tls_inspector) but never terminated: the
    /// connection is passed through, bytes untouched, to the cluster its server name (SNI) routes to. The east-west
    /// gateway's listener.
    /// </summary>
    Tls,
}

/// <summary>What happens to a connection whose first bytes do not arrive in time.</summary>
public enum DetectionTimeoutAction
{
    Close,
    Tcp,
}

/// <summary>HTTP handling on a listener (Envoy's HTTP connection manager).</summary>
public sealed record HttpListenerConfig
{
    /// <summary>The route table that routes requests. Required.</summary>
    public required string RouteTable { get; init; }

    /// <summary>Append the client address to x-forwarded-for and set x-forwarded-proto. Default true.</summary>
    public bool ForwardedHeaders { get; init; } = true;

    /// <summary>Generate x-request-id when a request has none. Default true (Envoy's generate_request_id).</summary>
    public bool GenerateRequestId { get; init; } = true;
}

/// <summary>Opaque TCP handling on a listener (Envoy's tcp_proxy).</summary>
public sealed record TcpListenerConfig
{
    /// <summary>The cluster connections are relayed to. Required.</summary>
    public required string Cluster { get; init; }

    /// <summary>A connection with no bytes in either direction for this long is closed. Default 1h (Envoy's tcp_proxy idle_timeout).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);
}
