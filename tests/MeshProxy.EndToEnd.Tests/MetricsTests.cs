using System.Net.Http;
using Grpc.Core;
using Grpc.Net.Client;
using MeshProxy.EndToEnd.Tests.Grpc;
using MeshProxy.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// The real /stats/prometheus after real traffic, parsed with the Prometheus client library: Istio's metric names,
/// label sets and values, and the Envoy-style counters.
/// </summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private ProxyTestHost _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("reviews", services => services.AddGrpc(), app => app.MapGrpcService<EchoGrpcService>());
        _proxy = await ProxyTestHost.StartAsync($$"""
            node:
              service: productpage.bookinfo.svc.cluster.local
              namespace: bookinfo
              workload: productpage-v1
              clusterId: cluster-1
              labels: { app: productpage, version: v1 }
            listeners:
              - name: outbound
                address: 127.0.0.1:0
                http: { routeTable: out }
              - name: inbound
                address: 127.0.0.1:0
                trafficDirection: inbound
                http: { routeTable: in }
            routeTables:
              - name: out
                virtualHosts:
                  - name: reviews
                    domains: ["reviews"]
                    routes: [ { match: { prefix: / }, cluster: reviews } ]
                  - name: empty
                    domains: ["empty"]
                    routes: [ { match: { prefix: / }, cluster: empty } ]
              - name: in
                virtualHosts: [ { name: app, domains: ["*"], routes: [ { match: { prefix: / }, cluster: local-app } ] } ]
            clusters:
              - name: reviews
                service: reviews.bookinfo.svc.cluster.local
                endpoints:
                  - address: {{_backend.H2cAddress}}
                    metadata: { workload: reviews-v2, app: reviews, version: v2, cluster: cluster-1 }
              - name: empty
                service: ratings.bookinfo.svc.cluster.local
                endpoints: []
              - name: local-app
                endpoints: [ { address: {{_backend.H2cAddress}} } ]
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task IstioRequestsTotal_OutboundRequests_ExactLabelsAndCounts()
    {
        for (var i = 0; i < 3; i++)
        {
            await Curl.RunAsync("--http2-prior-knowledge", "-o", "/dev/null", "-H", "Host: reviews", _proxy.ListenerUri("outbound", "/status/200").ToString());
        }
        await Curl.RunAsync("--http2-prior-knowledge", "-o", "/dev/null", "-H", "Host: reviews", _proxy.ListenerUri("outbound", "/status/503").ToString());
        await Curl.RunAsync("-o", "/dev/null", "-H", "Host: empty", _proxy.ListenerUri("outbound", "/").ToString());
        await Curl.RunAsync("-o", "/dev/null", "-H", "Host: nowhere", _proxy.ListenerUri("outbound", "/").ToString());

        var samples = await ScrapeAsync();
        var requests = samples.Where(s => s.Name == "istio_requests_total" && s.Label("reporter") == "source").ToList();

        var ok = Assert.Single(requests, s => s.Label("response_code") == "200");
        Assert.Equal(3, ok.Value);
        Assert.Equal(new Dictionary<string, string>
        {
            ["reporter"] = "source",
            ["source_workload"] = "productpage-v1",
            ["source_workload_namespace"] = "bookinfo",
            ["source_principal"] = "unknown",
            ["source_app"] = "productpage",
            ["source_version"] = "v1",
            ["source_canonical_service"] = "productpage",
            ["source_canonical_revision"] = "v1",
            ["source_cluster"] = "cluster-1",
            ["destination_workload"] = "reviews-v2",
            ["destination_workload_namespace"] = "bookinfo",
            ["destination_principal"] = "unknown",
            ["destination_app"] = "reviews",
            ["destination_version"] = "v2",
            ["destination_service"] = "reviews.bookinfo.svc.cluster.local",
            ["destination_service_name"] = "reviews",
            ["destination_service_namespace"] = "bookinfo",
            ["destination_canonical_service"] = "reviews",
            ["destination_canonical_revision"] = "v2",
            ["destination_cluster"] = "cluster-1",
            ["request_protocol"] = "http",
            ["response_flags"] = "-",
            ["connection_security_policy"] = "unknown",
            ["response_code"] = "200",
            ["grpc_response_status"] = "",
        }, ok.Labels);

        Assert.Equal(1, Assert.Single(requests, s => s.Label("response_code") == "503" && s.Label("destination_service") == "reviews.bookinfo.svc.cluster.local").Value);
        var noHealthy = Assert.Single(requests, s => s.Label("response_flags") == "UH");
        Assert.Equal(("503", "ratings.bookinfo.svc.cluster.local", "ratings", "unknown"),
            (noHealthy.Label("response_code"), noHealthy.Label("destination_service"), noHealthy.Label("destination_service_name"), noHealthy.Label("destination_workload")));
        var noRoute = Assert.Single(requests, s => s.Label("response_flags") == "NR");
        Assert.Equal(("404", "unknown"), (noRoute.Label("response_code"), noRoute.Label("destination_service")));

        // The duration histogram saw the same 3 requests, with Envoy's bucket bounds.
        var count = Assert.Single(samples, s => s.Name == "istio_request_duration_milliseconds_count" && s.Labels.GetValueOrDefault("response_code") == "200");
        Assert.Equal(3, count.Value);
        Assert.Contains(samples, s => s.Name == "istio_request_duration_milliseconds_bucket" && s.Labels.GetValueOrDefault("le") == "0.5");
        Assert.Contains(samples, s => s.Name == "istio_response_bytes_count" && s.Labels.GetValueOrDefault("response_code") == "200" && s.Value == 3);
    }

    [Fact]
    public async Task IstioRequestsTotal_GrpcCallThroughRoutedHost_GrpcLabels()
    {
        using var channel = GrpcChannel.ForAddress(_proxy.ListenerUri("outbound"), new GrpcChannelOptions
        {
            HttpHandler = new HostRewritingHandler("reviews"),
        });
        var client = new Echo.EchoClient(channel);
        await client.UnaryAsync(new EchoRequest { Message = "ok" }).ResponseAsync;
        await Assert.ThrowsAsync<RpcException>(() => client.UnaryAsync(new EchoRequest { FailWith = (int)StatusCode.NotFound }).ResponseAsync);

        var samples = await ScrapeAsync();
        var grpc = samples.Where(s => s.Name == "istio_requests_total" && s.Label("request_protocol") == "grpc").ToList();
        Assert.Equal(1, Assert.Single(grpc, s => s.Label("grpc_response_status") == "0").Value);
        var notFound = Assert.Single(grpc, s => s.Label("grpc_response_status") == "5");
        Assert.Equal("200", notFound.Label("response_code"));
    }

    [Fact]
    public async Task InboundListener_ReporterIsDestination_SecurityPolicyNone()
    {
        await Curl.RunAsync("--http2-prior-knowledge", "-o", "/dev/null", _proxy.ListenerUri("inbound", "/status/200").ToString());

        var samples = await ScrapeAsync();
        var inbound = Assert.Single(samples, s => s.Name == "istio_requests_total" && s.Label("reporter") == "destination");
        Assert.Equal(("unknown", "productpage-v1", "productpage.bookinfo.svc.cluster.local", "none"),
            (inbound.Label("source_workload"), inbound.Label("destination_workload"), inbound.Label("destination_service"), inbound.Label("connection_security_policy")));
    }

    [Fact]
    public async Task EnvoyStats_SameCountersInPrometheusAndAdminStats()
    {
        for (var i = 0; i < 2; i++)
        {
            await Curl.RunAsync("--http2-prior-knowledge", "-o", "/dev/null", "-H", "Host: reviews", _proxy.ListenerUri("outbound", "/status/201").ToString());
        }

        var samples = await ScrapeAsync();
        Assert.Equal(2, Assert.Single(samples, s => s.Name == "envoy_cluster_upstream_rq_total" && s.Label("envoy_cluster_name") == "reviews").Value);
        Assert.Equal(2, Assert.Single(samples, s => s.Name == "envoy_cluster_upstream_rq_xx_total" && s.Label("envoy_cluster_name") == "reviews" && s.Label("envoy_response_code_class") == "2").Value);
        Assert.Contains(samples, s => s.Name == "envoy_http_downstream_rq_total" && s.Label("envoy_listener_name") == "outbound" && s.Value == 2);
        using var client = new HttpClient();
        var stats = await client.GetStringAsync(_proxy.AdminUri("/stats"));
        Assert.Contains("cluster.reviews.upstream_rq_total: 2\n", stats);
        Assert.Contains("cluster.reviews.upstream_rq_2xx: 2\n", stats);
        var clusters = await client.GetStringAsync(_proxy.AdminUri("/clusters"));
        Assert.Contains($"reviews::{_backend.H2cAddress}::health_flags::healthy\n", clusters);
        Assert.Contains($"reviews::{_backend.H2cAddress}::rq_total::2\n", clusters);
    }

    private Task<IReadOnlyList<MetricSample>> ScrapeAsync() => PrometheusScrape.ScrapeAsync(new Uri($"http://{_proxy.Host.MetricsAddress}/stats/prometheus"));

    /// <summary>Sends gRPC calls with the virtual host's name as :authority, as a client in a mesh would.</summary>
    private sealed class HostRewritingHandler(string host) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = host;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
