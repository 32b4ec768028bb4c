using System.Net;
using System.Security.Cryptography;
using MeshProxy.TestSupport;
using MeshProxy.TestSupport.Namespaces;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// Two "clusters" in network namespaces joined by a veth pair, with nothing routed between their workloads but the
/// gateway: cluster 1 (the pod namespace, 10.231.N.1) holds a client; cluster 2 (the remote namespace, 10.231.N.2)
/// holds the real `meshproxy gateway` as uid 1337 on its port 15443 and a TLS server on its own loopback, which
/// cluster 1 cannot reach except through the gateway. Identities come from one root with one intermediate per cluster.
/// </summary>
public sealed class EastWestGatewayTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ClientInCluster1_ReachesServerInCluster2ThroughItsGateway_MutualTlsEndToEnd()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        using var pki = new TwoClusterPki();
        await using var reviews = TlsBackend.StartIn(network.Remote, "reviews", new IPEndPoint(IPAddress.Loopback, 0), TlsBackend.MutualTls(pki.Workload(pki.Cluster2, TwoClusterPki.Reviews)));
        await using var gateway = await NamespacedProxy.StartAsync(network.Remote, $$"""
            node: { service: eastwestgateway, clusterId: cluster2 }
            listeners:
              - name: eastwest
                address: "[::]:15443"
                protocol: tls
                autoPassthrough: { hosts: ["*.local"] }
            clusters:
              - name: outbound|8080||reviews.default.svc.cluster.local
                service: reviews.default.svc.cluster.local
                servicePort: 8080
                endpoints: [ { address: {{reviews.LocalEndPoint}}, metadata: { workload: reviews-v1, cluster: cluster2 } } ]
            """, verb: "gateway");
        var gatewayAddress = new IPEndPoint(network.RemoteIPv4, 15443);
        var payload = RandomNumberGenerator.GetBytes(256 * 1024);

        var socket = await network.Pod.ConnectAsync(gatewayAddress, Timeout);
        var (stream, server) = await GatewayTestBed.HandshakeAsync(socket, pki.Workload(pki.Cluster1, TwoClusterPki.Productpage), GatewayTestBed.ReviewsServerName, GatewayTestBed.IstioAlpn);
        await using (stream)
        {
            using var deadline = new CancellationTokenSource(Timeout);
            var echoed = new byte[payload.Length];
            var reading = stream.ReadExactlyAsync(echoed, deadline.Token).AsTask();
            await stream.WriteAsync(payload, deadline.Token);
            await reading;
            Assert.True(echoed.AsSpan().SequenceEqual(payload), "the echo differs from what was sent");
        }
        var refused = await network.Pod.RunAsync(["openssl", "s_client", "-connect", gatewayAddress.ToString(), "-servername", "outbound_.8080_._.ratings.default.svc.cluster.local", "-alpn", "istio"], standardInput: "");

        Assert.Equal(TwoClusterPki.Reviews, server.PeerId);
        var session = Assert.Single(reviews.Records);
        Assert.Equal((TwoClusterPki.Productpage.ToString(), GatewayTestBed.ReviewsServerName), (session.ClientId, session.ServerName));
        // The server's peer is the gateway in its own cluster, not the client across the link.
        Assert.Equal(IPAddress.Loopback, session.Peer.Address);
        Assert.NotEqual(0, refused.ExitCode);
        var stats = await gateway.GetStatsAsync();
        Assert.Equal(1, stats[$"sni_route.eastwest.{GatewayTestBed.ReviewsServerName}.outbound|8080||reviews.default.svc.cluster.local.downstream_cx_total"]);
        Assert.Equal(1, stats["listener.eastwest.no_filter_chain_match"]);
        using var metricsClient = network.Remote.CreateHttpClient(Timeout);
        var samples = await PrometheusScrape.ParseAsync(await metricsClient.GetStringAsync(new Uri("http://127.0.0.1:15090/stats/prometheus")));
        var route = Assert.Single(samples, s => s.Name == "meshproxy_sni_route_downstream_cx_total");
        Assert.Equal((GatewayTestBed.ReviewsServerName, 1.0), (route.Label("sni_route"), route.Value));
        var opened = Assert.Single(samples, s => s.Name == "istio_tcp_connections_opened_total" && s.Label("response_flags") == "-");
        Assert.Equal(("reviews.default.svc.cluster.local", "cluster2"), (opened.Label("destination_service"), opened.Label("destination_cluster")));
    }

    [Fact]
    public async Task BuiltInGatewayConfig_ReadyOn15021_RefusesNamesItDoesNotExpose()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        await using var gateway = await NamespacedProxy.StartAsync(network.Remote, configYaml: null, verb: "gateway");
        using var cluster1 = network.Pod.CreateHttpClient(Timeout);

        var ready = await cluster1.GetStringAsync(new Uri($"http://{network.RemoteIPv4}:15021/healthz/ready"));
        var refused = await network.Pod.RunAsync(["openssl", "s_client", "-connect", $"{network.RemoteIPv4}:15443",
            "-servername", GatewayTestBed.ReviewsServerName, "-alpn", "istio"], standardInput: "");

        Assert.Equal("LIVE\n", ready);
        Assert.NotEqual(0, refused.ExitCode);
        var stats = await gateway.GetStatsAsync();
        Assert.Equal(1, stats["listener.eastwest.no_filter_chain_match"]);
        Assert.Equal(1, stats["listener.eastwest.downstream_cx_total"]);
    }
}
