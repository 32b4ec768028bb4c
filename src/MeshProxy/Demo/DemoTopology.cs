using System.Text;
using MeshProxy.Configuration;

namespace MeshProxy.Cli.Demo;

/// <summary>
/// The demo's services and the sidecar config in front of them: "catalog" with three instances, and "reviews" split
/// 75/25 between v1 (two instances) and a v2 canary (one instance, slower and sometimes failing), over two zones.
/// The client runs in zone-a. Catalog has active health checks, outlier detection and Istio's locality priorities
/// (zone-a first, zone-b when zone-a has nothing healthy), which the demo exercises by stopping its zone-a instances.
/// </summary>
internal static class DemoTopology
{
    /// <summary>The zone the demo client (and its sidecar) runs in.</summary>
    public const string LocalZone = "zone-a";

    /// <summary>The service whose local-zone instances are stopped and started again mid-run.</summary>
    public const string FailoverService = "catalog";

    public const string HealthCheckPath = "/healthz";

    /// <summary>
    /// The catalog cluster's health settings, as a user would write them: checks every 500 ms (two failures take an
    /// instance out, two passes bring it back), ejection after three consecutive 5xx (connection failures count as
    /// 503; maxEjectionPercent 100 because with 3 instances Envoy's default 10% would never eject), and priorities
    /// derived from localities.
    /// </summary>
    public const string CatalogHealthYaml = $$"""
            healthChecks:
              interval: 500ms
              timeout: 250ms
              noTrafficInterval: 500ms
              unhealthyThreshold: 2
              healthyThreshold: 2
              http: { path: {{HealthCheckPath}} }
            outlierDetection:
              consecutive5xx: 3
              interval: 1s
              baseEjectionTime: 5s
              maxEjectionPercent: 100
            loadBalancer:
              localityPriorities: { enabled: true }
        """;

    public static IReadOnlyList<DemoEndpoint> Endpoints() =>
    [
        new("catalog", "catalog-1", "zone-a", TimeSpan.FromMilliseconds(2), 0),
        new("catalog", "catalog-2", "zone-a", TimeSpan.FromMilliseconds(2), 0),
        new("catalog", "catalog-3", "zone-b", TimeSpan.FromMilliseconds(3), 0),
        new("reviews-v1", "reviews-v1-1", "zone-a", TimeSpan.FromMilliseconds(3), 0),
        new("reviews-v1", "reviews-v1-2", "zone-b", TimeSpan.FromMilliseconds(3), 0),
        new("reviews-v2", "reviews-v2-1", "zone-b", TimeSpan.FromMilliseconds(6), 0.02),
    ];

    public const int ReviewsV1Weight = 75;
    public const int ReviewsV2Weight = 25;

    /// <summary>
    /// The sidecar's config, in the same YAML a user would write (see examples/sidecar-explicit.yaml): a cluster per
    /// service of <paramref name="endpoints"/>, plus the acts' virtual hosts, clusters and identity.
    /// </summary>
    public static string SidecarYaml(IEnumerable<DemoEndpoint> endpoints, string extraVirtualHosts = "", string extraClusters = "", string identity = "")
    {
        var yaml = new StringBuilder($$"""
            node:
              service: demo-client
              locality: { region: demo, zone: {{LocalZone}} }
            admin:
              address: 127.0.0.1:0
              readinessAddress:
              metricsAddress:
              drainTimeout: 2s
            listeners:
              - name: app-outbound
                address: 127.0.0.1:0
                http: { routeTable: demo }
            routeTables:
              - name: demo
                virtualHosts:
                  - name: catalog
                    domains: [catalog]
                    routes:
                      - match: { prefix: / }
                        cluster: catalog
                  - name: reviews
                    domains: [reviews]
                    routes:
                      - match: { prefix: / }
                        weightedClusters:
                          - { cluster: reviews-v1, weight: {{ReviewsV1Weight}} }
                          - { cluster: reviews-v2, weight: {{ReviewsV2Weight}} }

            """);
        yaml.Append(extraVirtualHosts).Append("clusters:\n").Append(extraClusters);
        foreach (var service in endpoints.GroupBy(e => e.Service))
        {
            yaml.Append($"  - name: {service.Key}\n");
            if (service.Key == FailoverService)
            {
                yaml.Append(CatalogHealthYaml).Append('\n');
            }
            yaml.Append("    endpoints:\n");
            foreach (var endpoint in service)
            {
                yaml.Append($"      - address: {endpoint.Address}\n        locality: {{ region: demo, zone: {endpoint.Zone} }}\n        metadata: {{ name: {endpoint.Name} }}\n");
            }
        }
        return yaml.Append(identity).ToString();
    }

    public static ProxyConfig SidecarConfig(IEnumerable<DemoEndpoint> endpoints, string extraVirtualHosts = "", string extraClusters = "", string identity = "")
        => ConfigLoader.LoadText(SidecarYaml(endpoints, extraVirtualHosts, extraClusters, identity), "(demo sidecar)").GetConfigOrThrow();
}
