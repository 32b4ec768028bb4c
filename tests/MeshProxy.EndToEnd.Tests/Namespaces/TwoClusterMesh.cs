using System.Globalization;
using System.Net;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Spiffe;
using MeshProxy.TestSupport;
using MeshProxy.TestSupport.Namespaces;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// Two "clusters" on two networks, every pod a network namespace, every proxy the real meshproxy as uid 1337:
/// <code>
///  cluster 1 (network 10.231.N.1)                              cluster 2 (network 10.231.N.2)
///  productpage (this test's HttpClient)                         meshproxy gateway :15443 (AUTO_PASSTHROUGH)
///    → client sidecar 127.0.0.1:15001 ══ mTLS ════════════════►   │ (SNI only, never decrypts)
///        ║                                                         ▼
///        ╚═ mTLS ═► reviews-v1 pod 10.232.N.2                    reviews-v2 pod 10.233.N.2
///                   inbound sidecar :15006 (STRICT)              inbound sidecar :15006 (STRICT)
///                   → app 127.0.0.1:9080                         → app 127.0.0.1:9080
/// </code>
/// Pods reach only their own cluster's network, so cluster 1 reaches reviews-v2 through gateway 2 alone. One root for
/// cluster.local, one intermediate per cluster. The client sidecar's clusters for reviews list the local pod and, for
/// the remote one, gateway 2's address with the remote locality (as istiod does for endpoints on another network),
/// with <c>tls: istioMutual</c> and a <c>servicePort</c>, so the SNI is Istio's outbound_ name. Routes (by path):
/// <c>/v2</c> the v2 subset (cluster 2 only), <c>/split</c> 25% v1 / 75% v2, anything else the whole service with
/// locality priorities and outlier detection (cluster 1 first, cluster 2 as failover).
/// A test class shares one mesh (its tests run one after another). Without root nothing starts, and
/// <see cref="Require"/> skips or fails each test instead (<see cref="RootOnly"/>).
/// </summary>
public sealed class TwoClusterMesh : IAsyncLifetime
{
    public const string Service = "reviews.default.svc.cluster.local";
    public const string WholeService = "outbound|8080||" + Service;
    public const string SubsetV1 = "outbound|8080|v1|" + Service;
    public const string SubsetV2 = "outbound|8080|v2|" + Service;
    public const string WholeServiceSni = "outbound_.8080_._." + Service;
    public const string SubsetV2Sni = "outbound_.8080_.v2_." + Service;
    public const string LocalApp = "reviews-v1";
    public const string RemoteApp = "reviews-v2";

    /// <summary>Consecutive 5xx that eject an endpoint, in the client sidecar's outlier detection.</summary>
    public const int Consecutive5xx = 3;

    /// <summary>The outlier detection sweep interval and the first ejection's length.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan BaseEjectionTime = TimeSpan.FromSeconds(3);

    public static readonly SpiffeId Productpage = SpiffeId.ForIstioWorkload(TwoClusterPki.TrustDomain, "default", "productpage");

    private static readonly IPEndPoint AppAddress = new(IPAddress.Loopback, 9080);
    private const int InboundPort = 15006;
    private const int GatewayPort = 15443;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TempDirectory _certificates = new();
    private readonly TwoClusterPki _pki = new();

    private PodNetwork? _network;
    private bool _disposed;

    /// <summary>Cluster 1's network (Pod: the client sidecar) and cluster 2's (Remote: the gateway).</summary>
    public PodNetwork Network => _network ?? throw new InvalidOperationException("The two-cluster mesh did not start; see the fixture's error.");

    public NetworkNamespace ReviewsV1Pod { get; private set; } = null!;

    public NetworkNamespace ReviewsV2Pod { get; private set; } = null!;

    public RecordingHttpServer ReviewsV1App { get; private set; } = null!;

    public RecordingHttpServer ReviewsV2App { get; private set; } = null!;

    public NamespacedProxy ClientSidecar { get; private set; } = null!;

    public NamespacedProxy Gateway { get; private set; } = null!;

    /// <summary>The app in cluster 1: plain HTTP to its sidecar, as an app whose traffic is captured would send it.</summary>
    public HttpClient ProductpageClient { get; private set; } = null!;

    public IPEndPoint LocalPodAddress => new(ReviewsV1PodIp, InboundPort);

    public IPEndPoint GatewayAddress => new(Network.RemoteIPv4, GatewayPort);

    private IPAddress ReviewsV1PodIp => IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.232.{Network.Id}.2"));

    private IPAddress ReviewsV2PodIp => IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.233.{Network.Id}.2"));

    /// <summary>The running mesh; call first in every test.</summary>
    public TwoClusterMesh Require()
    {
        RootOnly.Require();
        _ = Network;
        return this;
    }

    public async ValueTask InitializeAsync()
    {
        if (!RootOnly.IsRoot)
        {
            return;
        }
        try
        {
            _network = await PodNetwork.CreateAsync();
            await BuildAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops reviews-v1's app; its sidecar stays and answers 503 (connection refused upstream).</summary>
    public async Task StopLocalAppAsync()
    {
        _owned.Remove(ReviewsV1App);
        await ReviewsV1App.DisposeAsync();
    }

    /// <summary>Starts reviews-v1's app again on the same address.</summary>
    public void StartLocalApp()
    {
        if (!_owned.Contains(ReviewsV1App))
        {
            ReviewsV1App = Own(RecordingHttpServer.Start(ReviewsV1Pod, AppAddress, LocalApp));
        }
    }

    /// <summary>GET <paramref name="path"/> from productpage for reviews: the app that answered ("reviews-v1"), or "status N".</summary>
    public async Task<string> CallReviewsAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:15001{path}"));
        request.Headers.Host = Service + ":8080";
        using var response = await ProductpageClient.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode && body.StartsWith("server=", StringComparison.Ordinal)
            ? body["server=".Length..body.IndexOf(' ', StringComparison.Ordinal)]
            : string.Create(CultureInfo.InvariantCulture, $"status {(int)response.StatusCode}");
    }

    /// <summary>The health flags the client sidecar shows for an endpoint of a cluster in /clusters ("healthy", "/failed_outlier_check").</summary>
    public async Task<string> ClientHealthFlagsAsync(string cluster, IPEndPoint endpoint)
    {
        var prefix = $"{cluster}::{endpoint}::health_flags::";
        var text = await ClientSidecar.GetAdminAsync("/clusters");
        return text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..] ?? "";
    }

    private async Task BuildAsync()
    {
        ReviewsV1Pod = await AddPodAsync('a', Network.Pod, "pod1", ReviewsV1PodIp, 232);
        ReviewsV2Pod = await AddPodAsync('b', Network.Remote, "pod2", ReviewsV2PodIp, 233);
        ReviewsV1App = Own(RecordingHttpServer.Start(ReviewsV1Pod, AppAddress, LocalApp));
        ReviewsV2App = Own(RecordingHttpServer.Start(ReviewsV2Pod, AppAddress, RemoteApp));
        var reviewsV1Identity = await IssueAsync("reviews-v1", _pki.Cluster1, TwoClusterPki.Reviews);
        var reviewsV2Identity = await IssueAsync("reviews-v2", _pki.Cluster2, TwoClusterPki.Reviews);
        var productpageIdentity = await IssueAsync("productpage", _pki.Cluster1, Productpage);

        var starting = new[]
        {
            NamespacedProxy.StartAsync(ReviewsV1Pod, InboundSidecarYaml("cluster1", reviewsV1Identity)),
            NamespacedProxy.StartAsync(ReviewsV2Pod, InboundSidecarYaml("cluster2", reviewsV2Identity)),
            NamespacedProxy.StartAsync(Network.Remote, GatewayYaml(), verb: "gateway"),
            NamespacedProxy.StartAsync(Network.Pod, ClientSidecarYaml(productpageIdentity)),
        };
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            // Whatever started is owned, so a failed start still cleans up the others.
            foreach (var task in starting.Where(t => t.IsCompletedSuccessfully))
            {
                Own(task.Result);
            }
        }
        Gateway = starting[2].Result;
        ClientSidecar = starting[3].Result;
        ProductpageClient = Network.Pod.CreateHttpClient(RequestTimeout);
    }

    /// <summary>A pod namespace joined to its cluster's network namespace by a veth pair (10.{subnet}.N.1 there, <paramref name="podIp"/> in the pod).</summary>
    private async Task<NetworkNamespace> AddPodAsync(char role, NetworkNamespace cluster, string linkName, IPAddress podIp, int subnet)
    {
        var pod = await NetworkNamespace.CreateAsync(role, Network.Id);
        Own(pod);
        var clusterSide = string.Create(CultureInfo.InvariantCulture, $"10.{subnet}.{Network.Id}.1/24");
        await cluster.RunCheckedAsync(["ip", "link", "add", "name", linkName, "type", "veth", "peer", "name", "eth0", "netns", pod.Name]);
        await cluster.RunCheckedAsync(["ip", "addr", "add", clusterSide, "dev", linkName]);
        await cluster.RunCheckedAsync(["ip", "link", "set", linkName, "up"]);
        await pod.RunCheckedAsync(["ip", "addr", "add", $"{podIp}/24", "dev", "eth0"]);
        await pod.RunCheckedAsync(["ip", "link", "set", "eth0", "up"]);
        return pod;
    }

    /// <summary>An SVID in the file layout of `meshproxy ca issue`, readable by the proxy user only.</summary>
    private async Task<SvidFiles> IssueAsync(string name, CertificateAuthority issuer, SpiffeId id)
    {
        var directory = _certificates.File(name);
        CertificateAuthorityFiles.WriteSvid(issuer.Issue(id), issuer, directory);
        var owner = string.Create(CultureInfo.InvariantCulture, $"{NamespacedProxy.ProxyUid}:{NamespacedProxy.ProxyUid}");
        var chown = await ProcessRunner.RunAsync(Tools.Require("chown"), ["-R", owner, directory], NetworkNamespace.CommandTimeout);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown {directory} failed: {chown}");
        }
        return new SvidFiles(directory);
    }

    private static string InboundSidecarYaml(string clusterId, SvidFiles identity) => $$"""
        node: { service: reviews, clusterId: {{clusterId}} }
        listeners:
          - name: inbound
            address: 0.0.0.0:{{InboundPort}}
            trafficDirection: inbound
            tls: { mode: strict }
            http: { routeTable: inbound }
        routeTables:
          - name: inbound
            virtualHosts:
              - name: all
                domains: ["*"]
                routes: [ { match: { prefix: / }, cluster: app } ]
        clusters:
          - name: app
            httpProtocol: http1
            endpoints: [ { address: {{AppAddress}} } ]
        {{identity.IdentityYaml()}}
        """;

    private string GatewayYaml() => $$"""
        node: { service: eastwestgateway, clusterId: cluster2, locality: { region: region2, zone: zone2a } }
        listeners:
          - name: eastwest
            address: 0.0.0.0:{{GatewayPort}}
            protocol: tls
            autoPassthrough: { hosts: ["*.local"] }
        clusters:
          - name: {{WholeServiceSni}}
            service: {{Service}}
            servicePort: 8080
            endpoints: [ { address: "{{ReviewsV2PodIp}}:{{InboundPort}}", metadata: { workload: reviews-v2, version: v2, cluster: cluster2 } } ]
          - name: {{SubsetV2Sni}}
            service: {{Service}}
            servicePort: 8080
            subset: v2
            endpoints: [ { address: "{{ReviewsV2PodIp}}:{{InboundPort}}", metadata: { workload: reviews-v2, version: v2, cluster: cluster2 } } ]
        """;

    private string ClientSidecarYaml(SvidFiles identity)
    {
        var local = $$"""{ address: "{{LocalPodAddress}}", locality: { region: region1, zone: zone1a }, metadata: { cluster: cluster1, version: v1 } }""";
        // One remote instance behind gateway 2: weight 1, the remote cluster's locality.
        var remote = $$"""{ address: "{{GatewayAddress}}", weight: 1, locality: { region: region2, zone: zone2a }, metadata: { cluster: cluster2, version: v2 } }""";
        var tls = $$"""tls: { mode: istioMutual, serverIds: ["{{TwoClusterPki.Reviews}}"] }""";
        return $$"""
            node: { service: productpage, clusterId: cluster1, locality: { region: region1, zone: zone1a } }
            listeners:
              - name: outbound
                address: 127.0.0.1:15001
                http: { routeTable: outbound }
            routeTables:
              - name: outbound
                virtualHosts:
                  - name: reviews
                    domains: ["{{Service}}", "{{Service}}:8080"]
                    routes:
                      - match: { prefix: /v2 }
                        cluster: {{SubsetV2}}
                      - match: { prefix: /split }
                        weightedClusters:
                          - { cluster: {{SubsetV1}}, weight: 25 }
                          - { cluster: {{SubsetV2}}, weight: 75 }
                      - match: { prefix: / }
                        cluster: {{WholeService}}
            clusters:
              - name: {{WholeService}}
                service: {{Service}}
                servicePort: 8080
                {{tls}}
                loadBalancer: { localityPriorities: { enabled: true } }
                outlierDetection:
                  consecutive5xx: {{Consecutive5xx}}
                  interval: {{(int)SweepInterval.TotalMilliseconds}}ms
                  baseEjectionTime: {{(int)BaseEjectionTime.TotalSeconds}}s
                  maxEjectionPercent: 100
                endpoints: [ {{local}}, {{remote}} ]
              - { name: {{SubsetV1}}, service: {{Service}}, servicePort: 8080, subset: v1, {{tls}}, endpoints: [ {{local}} ] }
              - { name: {{SubsetV2}}, service: {{Service}}, servicePort: 8080, subset: v2, {{tls}}, endpoints: [ {{remote}} ] }
            {{identity.IdentityYaml()}}
            """;
    }

    private T Own<T>(T owned) where T : IAsyncDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ProductpageClient?.Dispose();
        // Processes and servers first, namespaces last (the pods' before the networks').
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
        _certificates.Dispose();
        _pki.Dispose();
    }
}
