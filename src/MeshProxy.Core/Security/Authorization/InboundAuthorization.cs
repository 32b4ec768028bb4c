using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.Runtime;
using MeshProxy.Telemetry;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Security.Authorization;

/// <summary>
/// Applies the snapshot's authorization policies to inbound traffic (listeners whose direction is inbound, as Istio
/// applies a workload's policies to the traffic it receives), counting each decision on the listener.
/// </summary>
public sealed partial class InboundAuthorization
{
    private readonly StatsRegistry _stats;
    private readonly ILogger<InboundAuthorization> _logger;

    public InboundAuthorization(StatsRegistry stats, ILogger<InboundAuthorization> logger)
    {
        _stats = stats;
        _logger = logger;
    }

    /// <summary>Decides one HTTP request (method and path set) or TCP connection (both null).</summary>
    public AuthorizationDecision Authorize(ProxySnapshot snapshot, DownstreamConnection connection, string? method, string? path)
    {
        if (connection.Listener.Direction != TrafficDirection.Inbound || snapshot.Authorizer.IsEmpty)
        {
            return new AuthorizationDecision(IsAllowed: true, Policy: null);
        }
        var decision = snapshot.Authorizer.Authorize(new AuthorizationRequest(connection.PeerPrincipal, connection.RoutingDestination?.Port ?? 0, method, path));
        var stats = _stats.Listener(connection.Listener.Name);
        if (decision.IsAllowed)
        {
            stats.RbacAllowed();
        }
        else
        {
            stats.RbacDenied();
            Log.Denied(_logger, connection.Listener.Name, connection.PeerPrincipal ?? "(no mTLS identity)", method ?? "TCP", path ?? "",
                connection.RoutingDestination?.Port ?? 0, decision.DeniedDetails);
        }
        return decision;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AuthorizationDenied, Level = LogLevel.Debug,
            Message = "Listener {Listener}: denied {Method} {Path} from {Peer} to port {Port}: {Details}")]
        public static partial void Denied(ILogger logger, string listener, string peer, string method, string path, int port, string details);
    }
}
