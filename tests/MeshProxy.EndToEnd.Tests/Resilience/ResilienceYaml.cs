using System.Net;

namespace MeshProxy.EndToEnd.Tests.Resilience;

/// <summary>One listener, one route to one cluster of the given endpoints, with resilience settings spliced in.</summary>
internal static class ResilienceYaml
{
    /// <param name="route">Lines under the route (retryPolicy:, hedgePolicy:, timeout:, ...), indented for the route level.</param>
    /// <param name="cluster">Lines under the cluster (circuitBreakers:, lbPolicy:, ...).</param>
    public static string Config(IEnumerable<IPEndPoint> endpoints, string route = "", string cluster = "", string virtualHost = "") => $$"""
        listeners:
          - name: web
            address: 127.0.0.1:0
            http: { routeTable: main }
            tcp: { cluster: backend }
        routeTables:
          - name: main
            virtualHosts:
              - name: all
                domains: ["*"]
        {{Indent(virtualHost, 8)}}
                routes:
                  - match: { prefix: / }
                    cluster: backend
        {{Indent(route, 12)}}
        clusters:
          - name: backend
        {{Indent(cluster, 4)}}
            endpoints:
        {{string.Join("\n", endpoints.Select(e => $"      - address: {e}"))}}
        """;

    private static string Indent(string lines, int spaces)
        => string.Join("\n", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => new string(' ', spaces) + l.TrimEnd()));
}
