using System.Security.Cryptography;
using System.Text.Json;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// The east-west gateway passes TLS through by server name: the TLS session is the client's and the backend's (each
/// verifies the other's certificate; the gateway holds no key and could forge neither), every byte arrives intact, and
/// the route, the cluster and the server name show in the counters, the Istio metrics and the access log.
/// </summary>
public sealed class SniPassthroughTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SslStreamClient_AutoPassthroughName_MutualTlsBetweenClientAndBackend_BytesIntact()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var payload = RandomNumberGenerator.GetBytes(1024 * 1024);

        var (stream, server) = await bed.ConnectMutualTlsAsync(GatewayTestBed.ReviewsServerName, GatewayTestBed.IstioAlpn);
        await using (stream)
        {
            using var deadline = new CancellationTokenSource(Timeout);
            var reading = ReadExactlyAsync(stream, payload.Length, deadline.Token);
            await stream.WriteAsync(payload, deadline.Token);
            var echoed = await reading;
            Assert.True(echoed.AsSpan().SequenceEqual(payload), "the echo differs from what was sent");
        }

        // The client authenticated the backend's SVID (cluster 2's intermediate) ...
        Assert.Equal(TwoClusterPki.Reviews, server.PeerId);
        // ... and the backend authenticated the client's (cluster 1's), with the server name the client sent.
        var session = Assert.Single(bed.Reviews.Records);
        Assert.Equal((TwoClusterPki.Productpage.ToString(), GatewayTestBed.ReviewsServerName), (session.ClientId, session.ServerName));
        Assert.Empty(bed.Shop.Records);
    }

    [Fact]
    public async Task SslStreamClient_AfterRelay_CountersMetricsAndAccessLogNameTheRoute()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var (stream, _) = await bed.ConnectMutualTlsAsync(GatewayTestBed.ReviewsServerName, GatewayTestBed.IstioAlpn);
        await using (stream)
        {
            await stream.WriteAsync("ping"u8.ToArray());
            await ReadExactlyAsync(stream, 4, CancellationToken.None);
        }

        var lines = await bed.AccessLogLinesAsync(1);
        using var entry = JsonDocument.Parse(lines[0]);
        Assert.Equal(GatewayTestBed.ReviewsServerName, entry.RootElement.GetProperty("requested_server_name").GetString());
        Assert.Equal("reviews", entry.RootElement.GetProperty("upstream_cluster").GetString());
        Assert.Equal(bed.Reviews.LocalEndPoint.ToString(), entry.RootElement.GetProperty("upstream_host").GetString());
        Assert.Equal("-", entry.RootElement.GetProperty("response_flags").GetString());
        Assert.True(entry.RootElement.GetProperty("bytes_received").GetInt64() > 4, "the hello and the encrypted ping count as received");

        var stats = await bed.StatsAsync();
        Assert.Equal(1, stats[$"sni_route.eastwest.{GatewayTestBed.ReviewsServerName}.reviews.downstream_cx_total"]);
        Assert.Equal(0, stats[$"sni_route.eastwest.{GatewayTestBed.ReviewsServerName}.reviews.downstream_cx_active"]);
        Assert.Equal(1, stats["cluster.reviews.upstream_cx_total"]);
        Assert.Equal(0, stats["listener.eastwest.no_filter_chain_match"]);

        var samples = await bed.ScrapeAsync();
        var opened = Assert.Single(samples, s => s.Name == "istio_tcp_connections_opened_total");
        Assert.Equal(("source", "reviews.default.svc.cluster.local", "reviews-v1", "eastwestgateway", 1.0),
            (opened.Label("reporter"), opened.Label("destination_service"), opened.Label("destination_workload"), opened.Label("source_canonical_service"), opened.Value));
        Assert.True(Assert.Single(samples, s => s.Name == "istio_tcp_received_bytes_total").Value > 4);
        var routes = samples.Where(s => s.Name == "meshproxy_sni_route_downstream_cx_total").ToDictionary(s => (s.Label("envoy_listener_name"), s.Label("sni_route"), s.Label("envoy_cluster_name")), s => s.Value);
        Assert.Equal(new Dictionary<(string, string, string), double>
        {
            [("eastwest", GatewayTestBed.ReviewsServerName, "reviews")] = 1,
            [("eastwest", "shop", "shop")] = 0,
        }, routes);
        Assert.Equal(0, Assert.Single(samples, s => s.Name == "envoy_listener_no_filter_chain_match_total").Value);
    }

    [Fact]
    public async Task OpenSslClient_VerifiesBackendChain_BackendSeesClientCertificate()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var client = bed.Pki.WritePem(bed.Pki.Cluster1.Issue(TwoClusterPki.Productpage), "productpage");

        var result = await ProcessRunner.RunAsync(Tools.Require("openssl"),
        [
            "s_client", "-connect", bed.Gateway.ToString(), "-servername", GatewayTestBed.ReviewsServerName, "-alpn", "istio,http/1.1",
            "-CAfile", bed.Pki.RootPem, "-verify_return_error", "-cert", client.Chain, "-cert_chain", client.Chain, "-key", client.Key, "-ign_eof",
        ], Timeout, standardInput: "GET / HTTP/1.1\r\nHost: reviews\r\n\r\n");

        Assert.True(result.ExitCode == 0, $"{result}\nbackend: {string.Join('\n', bed.Reviews.Records)}");
        Assert.Contains("Verify return code: 0 (ok)", result.StandardOutput);
        Assert.Contains($"URI:{TwoClusterPki.Reviews}", await ServerCertificateTextAsync(result.StandardOutput));
        Assert.Contains($"hello from reviews sni={GatewayTestBed.ReviewsServerName} peer={TwoClusterPki.Productpage}", result.StandardOutput);
    }

    [Fact]
    public async Task Curl_WildcardRule_HostNameVerifiedAgainstTheRoot()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var result = await Curl.RunAsync("--cacert", bed.Pki.RootPem, "--connect-to", $"::{bed.Gateway}", "https://orders.shop.example/");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hello from shop sni=orders.shop.example peer=none\n", result.StandardOutput);
        var stats = await bed.StatsAsync();
        Assert.Equal(1, stats["sni_route.eastwest.shop.shop.downstream_cx_total"]);
        Assert.Empty(bed.Reviews.Records);
    }

    [Fact]
    public async Task Curl_SniOfTheMeshName_WithClientCertificate_ReachesTheMutualTlsBackend()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var client = bed.Pki.WritePem(bed.Pki.Cluster1.Issue(TwoClusterPki.Productpage), "productpage");

        // The backend's SVID has no DNS name, so curl cannot check a host name: -k, with the SVID as client certificate.
        // curl offers ALPN h2 and http/1.1, not Istio's values, so this listener's AUTO_PASSTHROUGH is relaxed below.
        await bed.Proxy.Host.ApplyConfigAsync(bed.Proxy.Host.ConfigManager.Current.Config with
        {
            Listeners = new([bed.Proxy.Host.ConfigManager.Current.Config.Listeners[0] with
            {
                AutoPassthrough = new Configuration.AutoPassthroughConfig { Hosts = new(["*.local"]), ApplicationProtocols = Utilities.EquatableArray<string>.Empty },
            }]),
        });
        var result = await Curl.RunAsync("-k", "--cert", client.Chain, "--key", client.Key, "--connect-to", $"::{bed.Gateway}", $"https://{GatewayTestBed.ReviewsServerName}/");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"hello from reviews sni={GatewayTestBed.ReviewsServerName} peer={TwoClusterPki.Productpage}\n", result.StandardOutput);
    }

    [Fact]
    public async Task UnknownName_WithDefaultCluster_GoesToTheDefault()
    {
        await using var bed = await GatewayTestBed.StartAsync(defaultCluster: true);

        var result = await Curl.RunAsync("-k", "--connect-to", $"::{bed.Gateway}", "https://nobody.example.org/");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hello from fallback sni=nobody.example.org peer=none\n", result.StandardOutput);
        var stats = await bed.StatsAsync();
        Assert.Equal(1, stats["sni_route.eastwest.default.fallback.downstream_cx_total"]);
        Assert.Equal(0, stats["listener.eastwest.no_filter_chain_match"]);
    }

    [Fact]
    public async Task Reload_TcpListenerBecomesTlsListenerAtTheSameAddress_RoutesByNameFromThen()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var gateway = bed.Gateway;
        var config = bed.Proxy.Host.ConfigManager.Current.Config;
        var plainTcp = config.Listeners[0] with
        {
            Protocol = Configuration.ListenerProtocol.Tcp,
            AutoPassthrough = null,
            FilterChains = Utilities.EquatableArray<Configuration.FilterChainConfig>.Empty,
            Tcp = new Configuration.TcpListenerConfig { Cluster = "fallback" },
        };

        await bed.Proxy.Host.ApplyConfigAsync(config with { Listeners = new([plainTcp]) });
        var asTcp = await Curl.RunAsync("-k", "--connect-to", $"::{gateway}", "https://orders.shop.example/");
        await bed.Proxy.Host.ApplyConfigAsync(config);
        var asTls = await Curl.RunAsync("-k", "--connect-to", $"::{gateway}", "https://orders.shop.example/");

        Assert.Equal(gateway, bed.Gateway);
        Assert.Equal("hello from fallback sni=orders.shop.example peer=none\n", asTcp.StandardOutput);
        Assert.Equal("hello from shop sni=orders.shop.example peer=none\n", asTls.StandardOutput);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    /// <summary>The certificate s_client printed, decoded by openssl x509.</summary>
    private static async Task<string> ServerCertificateTextAsync(string sClientOutput)
    {
        var start = sClientOutput.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
        var end = sClientOutput.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + "-----END CERTIFICATE-----".Length;
        var result = await ProcessRunner.RunAsync(Tools.Require("openssl"), ["x509", "-noout", "-text"], Timeout, standardInput: sClientOutput[start..end] + "\n");
        return result.StandardOutput;
    }
}
