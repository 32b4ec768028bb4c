using System.Net;

namespace MeshProxy.Configuration;

/// <summary>The proxy's own servers: admin (localhost only), kubelet readiness, and Prometheus metrics.</summary>
public sealed record AdminConfig
{
    /// <summary>Admin API (/ready, /config_dump, /clusters, /stats, /quitquitquit). Default 127.0.0.1:15000.</summary>
    public IPEndPoint Address { get; init; } = new(IPAddress.Loopback, 15000);

    /// <summary>Readiness for the kubelet (/healthz/ready). Default 0.0.0.0:15021; null disables it.</summary>
    public IPEndPoint? ReadinessAddress { get; init; } = new(IPAddress.Any, 15021);

    /// <summary>Prometheus scrape endpoint (/stats/prometheus). Default 0.0.0.0:15090; null disables it.</summary>
    public IPEndPoint? MetricsAddress { get; init; } = new(IPAddress.Any, 15090);

    /// <summary>How long a drain lets in-flight requests and connections finish before they are closed. Default 15s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
