using System.Net;
using MeshProxy.TestSupport;

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

    /// <summary>One explicit listener splitting every request across one cluster per backend, named after it, by weight.</summary>
    public static string WeightedSplit(params (TestBackend Backend, int Weight)[] arms) => $$"""
        listeners:
          - name: web
            address: 127.0.0.1:0
            http: { routeTable: main }
        routeTables:
          - name: main
            virtualHosts:
              - name: app
                domains: ["*"]
                routes:
                  - match: { prefix: / }
                    weightedClusters:
        {{string.Join("\n", arms.Select(a => $"                      - {{ cluster: {a.Backend.Name}, weight: {a.Weight} }}"))}}
        clusters:
        {{string.Join("\n", arms.Select(a => $"  - name: {a.Backend.Name}\n    endpoints: [ {{ address: {a.Backend.Http1Address} }} ]"))}}
        """;

    /// <summary>A tls listener "eastwest" passing *.shop.example through, by server name, to one TLS backend ("shop").</summary>
    public static string ShopPassthrough(IPEndPoint shop) => $$"""
        listeners:
          - name: eastwest
            address: 127.0.0.1:0
            protocol: tls
            filterChains:
              - name: shop
                match: { serverNames: ["*.shop.example"] }
                tcp: { cluster: shop }
        clusters:
          - name: shop
            endpoints: [ { address: {{shop}} } ]
        """;
}
