using System.Net;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Tcp;
using MeshProxy.Upstream;
using MeshProxy.Utilities;

namespace MeshProxy.Listeners;

/// <summary>
/// What the proxy knows about one accepted connection: its listener, its peers, where it was originally going,
/// and what protocol it speaks. Set as a connection feature, so every request on the connection can read it.
/// </summary>
public sealed class DownstreamConnection
{
    private (string Cluster, EndpointState Endpoint)? _originalDestinationEndpoint;
    private string? _remoteAddressText;
    private string? _destinationAddressText;

    public DownstreamConnection(ListenerConfig listener, IPEndPoint? remote, IPEndPoint? local)
    {
        Listener = listener;
        RemoteEndPoint = Unmapped(remote);
        LocalEndPoint = Unmapped(local);
    }

    /// <summary>
    /// A dual-stack ("[::]") listener reports IPv4 peers as ::ffff:a.b.c.d; the proxy works with the plain IPv4 form,
    /// which is what iptables, SO_ORIGINAL_DST and people use.
    /// </summary>
    public static IPEndPoint? Unmapped(IPEndPoint? endpoint)
        => endpoint is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;

    /// <summary>The listener's config as it was when the connection was accepted.</summary>
    public ListenerConfig Listener { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>Where the client was connecting before capture redirected it; null on listeners without capture.</summary>
    public IPEndPoint? OriginalDestination { get; set; }

    public DetectedProtocol Protocol { get; set; }

    /// <summary>The handling chosen for this connection by its destination (set before any bytes are read).</summary>
    public FilterChain FilterChain { get; set; } = FilterChain.BlackHole;

    /// <summary>The destination filter chains are chosen by: the original destination when captured, else the listener's own address.</summary>
    public IPEndPoint? RoutingDestination => OriginalDestination ?? LocalEndPoint;

    /// <summary>"ip:port" of <see cref="RemoteEndPoint"/>, formatted once per connection (for the access log).</summary>
    public string? RemoteAddressText => RemoteEndPoint is null ? null : _remoteAddressText ??= RemoteEndPoint.ToString();

    /// <summary>"ip:port" of where the client connected to: the original destination when captured (set before any request).</summary>
    public string? DestinationAddressText => RoutingDestination is { } destination ? _destinationAddressText ??= destination.ToString() : null;

    /// <summary>Whether the proxy terminated TLS on this connection.</summary>
    public bool IsTlsTerminated { get; set; }

    /// <summary>Orders the terminated TLS session's close_notify against its reads (set when TLS is terminated).</summary>
    internal TlsShutdownLock? TlsShutdownLock { get; set; }

    /// <summary>The client's SPIFFE ID, when it authenticated with mTLS (Istio's source principal).</summary>
    public string? PeerPrincipal { get; set; }

    /// <summary>This connection's x-forwarded-client-cert element, when the client authenticated with mTLS.</summary>
    public string? ForwardedClientCert { get; set; }

    /// <summary>The SNI of the client's TLS ClientHello, when it sent one.</summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// The endpoint an original-destination cluster connects to for this connection: the original destination,
    /// with its IP replaced by the cluster's override for its family when it has one (inbound sends to 127.0.0.1:port
    /// or [::1]:port).
    /// Null when the connection has no original destination, since such a cluster has nowhere to go then.
    /// </summary>
    public EndpointState? GetOriginalDestinationEndpoint(ClusterState cluster)
    {
        if (OriginalDestination is not { } original)
        {
            return null;
        }
        if (_originalDestinationEndpoint is { } cached && cached.Cluster == cluster.Name)
        {
            return cached.Endpoint;
        }
        var family = original.Address.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : original.AddressFamily;
        var target = AddressFamilies.Pick(cluster.Config.OriginalDestinationOverrides, family) is { } overrideAddress
            ? new IPEndPoint(overrideAddress, original.Port)
            : original;
        var endpoint = EndpointState.ForOriginalDestination(target);
        _originalDestinationEndpoint = (cluster.Name, endpoint);
        return endpoint;
    }
}
