using MeshProxy.Gateway;

namespace MeshProxy.Configuration.Validation;

/// <summary>
/// The SNI router's rules: tls listeners pass TLS through by server name only (no capture, no HTTP, no destination
/// matches), each server name is routed by one filter chain, server names and AUTO_PASSTHROUGH belong to tls listeners,
/// and each service port and subset that clusters declare is declared once and makes a valid server name.
/// </summary>
internal sealed class SniRouterValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            var path = $"listeners[{i}]";
            if (listener.Protocol == ListenerProtocol.Tls)
            {
                ValidateTlsListener(listener, path, diagnostics);
            }
            else
            {
                ValidateOtherListener(listener, path, diagnostics);
            }
        }
        ValidateServicePorts(config, diagnostics);
    }

    private static void ValidateTlsListener(ListenerConfig listener, string path, ConfigDiagnostics diagnostics)
    {
        if (listener.Capture != CaptureMode.None)
        {
            diagnostics.Error($"{path}.capture", "a tls listener is connected to directly (the east-west gateway); it cannot be a capture listener");
        }
        if (listener.Http is not null)
        {
            diagnostics.Error($"{path}.http", "a tls listener passes TLS through without decrypting it, so it never sees HTTP; remove http");
        }
        if (listener.OnDetectionTimeout != DetectionTimeoutAction.Close)
        {
            diagnostics.Error($"{path}.onDetectionTimeout", "a tls listener routes by the ClientHello, so a connection without one can only be closed");
        }
        var routedBy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < listener.FilterChains.Count; c++)
        {
            var chain = listener.FilterChains[c];
            var chainPath = $"{path}.filterChains[{c}]";
            if (chain.Http is not null)
            {
                diagnostics.Error($"{chainPath}.http", "a tls listener passes TLS through without decrypting it, so it never sees HTTP; use tcp");
            }
            if (chain.Match.DestinationPort is not null || !chain.Match.DestinationAddresses.IsEmpty)
            {
                diagnostics.Error($"{chainPath}.match", "filter chains of a tls listener match serverNames (and applicationProtocols), not destinations");
            }
            if (chain.Match.ServerNames.IsEmpty)
            {
                diagnostics.Error($"{chainPath}.match.serverNames", "is required on a tls listener; the listener's own tcp takes the names no chain matches");
            }
            for (var n = 0; n < chain.Match.ServerNames.Count; n++)
            {
                var name = chain.Match.ServerNames[n];
                if (!routedBy.TryAdd(name, chain.Name))
                {
                    diagnostics.Error($"{chainPath}.match.serverNames[{n}]", $"'{name}' is already routed by filter chain '{routedBy[name]}'");
                }
            }
        }
    }

    private static void ValidateOtherListener(ListenerConfig listener, string path, ConfigDiagnostics diagnostics)
    {
        if (listener.AutoPassthrough is not null)
        {
            diagnostics.Error($"{path}.autoPassthrough", "applies to tls listeners only (protocol: tls)");
        }
        for (var c = 0; c < listener.FilterChains.Count; c++)
        {
            var match = listener.FilterChains[c].Match;
            if (!match.ServerNames.IsEmpty || !match.ApplicationProtocols.IsEmpty)
            {
                diagnostics.Error($"{path}.filterChains[{c}].match", "serverNames and applicationProtocols are matched on tls listeners only (protocol: tls); this listener does not route by the ClientHello");
            }
        }
    }

    private static void ValidateServicePorts(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var declaredBy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < config.Clusters.Count; c++)
        {
            var cluster = config.Clusters[c];
            var path = $"clusters[{c}]";
            if (cluster.Subset is not null && cluster.ServicePort is null)
            {
                diagnostics.Error($"{path}.subset", "needs servicePort: a subset is a subset of a service port");
            }
            if (IstioServerName.ForCluster(cluster) is not { } serverName)
            {
                continue;
            }
            if (cluster.Type == ClusterType.OriginalDestination)
            {
                diagnostics.Error($"{path}.servicePort", "an originalDestination cluster has no endpoints of its own to serve a service port; use a static cluster");
            }
            if (!ServerNamePattern.IsDnsName(serverName))
            {
                diagnostics.Error($"{path}.service", $"'{cluster.Service ?? cluster.Name}' does not make a valid TLS server name ('{serverName}'); write the service's DNS name, e.g. reviews.default.svc.cluster.local");
            }
            else if (!declaredBy.TryAdd(serverName, cluster.Name))
            {
                diagnostics.Error($"{path}.servicePort", $"cluster '{declaredBy[serverName]}' already serves this service, port and subset ({serverName})");
            }
        }
    }
}
