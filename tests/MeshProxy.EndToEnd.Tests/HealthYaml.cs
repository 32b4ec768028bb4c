using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>The proxy configs of the health tests: one listener routing everything to cluster "backend".</summary>
internal static class HealthYaml
{
    /// <summary>
    /// <paramref name="clusterSettings"/> are YAML lines under the cluster (healthChecks, outlierDetection, loadBalancer),
    /// written at column 0; <paramref name="endpoints"/> are endpoint mappings in flow style.
    /// </summary>
    public static string Proxy(string clusterSettings, IEnumerable<string> endpoints, string node = "") => $$"""
        {{node}}
        listeners:
          - name: web
            address: 127.0.0.1:0
            http: { routeTable: main }
        routeTables:
          - name: main
            virtualHosts:
              - name: all
                domains: ["*"]
                routes:
                  - match: { prefix: / }
                    cluster: backend
        clusters:
          - name: backend
        {{Indent(clusterSettings, 4)}}
            endpoints:
        {{string.Join("\n", endpoints.Select(e => "      - " + e))}}
        """;

    /// <summary>An endpoint in a zone of region "r" (or another region), optionally with an explicit priority.</summary>
    public static string Endpoint(KillableBackend backend, string zone = "zone-a", string region = "r", int? priority = null) =>
        $"{{ address: {backend.Address}, locality: {{ region: {region}, zone: {zone} }}{(priority is { } p ? $", priority: {p}" : "")} }}";

    /// <summary>Health checks fast enough for a test: every 100 ms, one failure out, one pass back.</summary>
    public const string FastHealthChecks = """
        healthChecks:
          interval: 100ms
          noTrafficInterval: 100ms
          timeout: 500ms
          unhealthyThreshold: 1
          healthyThreshold: 1
          http: { path: /healthz }
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.ReplaceLineEndings("\n").Split('\n').Select(line => new string(' ', spaces) + line));
}
