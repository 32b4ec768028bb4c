using System.Net;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>Small YAML configs the end-to-end tests share.</summary>
internal static class ProxyYaml
{
    /// <summary>One explicit listener routing every request to one cluster.</summary>
    public static string SingleRoute(IPEndPoint backend, string extraRoute = "", string clusterExtra = "", string listenerExtra = "") => $$"""
        listeners:
          - name: web
            address: 127.0.0.1:0
            http: { routeTable: main }
        {{listenerExtra}}
        routeTables:
          - name: main
            virtualHosts:
              - name: all
                domains: ["*"]
                routes:
        {{extraRoute}}
                  - match: { prefix: / }
                    cluster: backend
        clusters:
          - name: backend
        {{clusterExtra}}
            endpoints:
              - address: {{backend}}
        """;
}
