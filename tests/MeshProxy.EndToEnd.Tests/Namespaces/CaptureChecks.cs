using System.Net;
using System.Net.Sockets;
using MeshProxy.TestSupport.Namespaces;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// The transparent-capture checks, written once and run per address family: each makes real traffic in the
/// namespaces and asserts from three sides (the client, the server that was called, the proxy's counters) which
/// path it took. Every request is bounded (curl --max-time, socket deadlines), so a loop fails instead of hanging.
/// </summary>
public sealed class CaptureChecks
{
    private const string OutboundRequests = "cluster.PassthroughCluster.upstream_rq_total";
    private const string OutboundConnections = "cluster.PassthroughCluster.upstream_cx_total";
    private const string InboundRequests = "cluster.InboundPassthroughCluster.upstream_rq_total";
    private const string InboundConnections = "cluster.InboundPassthroughCluster.upstream_cx_total";
    private static readonly string[] Counters = [OutboundRequests, OutboundConnections, InboundRequests, InboundConnections];
    private static readonly TimeSpan SocketTimeout = TimeSpan.FromSeconds(15);

    private readonly CapturedPod _pod;

    public CaptureChecks(CapturedPod pod, AddressFamily family)
    {
        _pod = pod;
        var ipv6 = family == AddressFamily.InterNetworkV6;
        var network = pod.Network;
        PodAddress = ipv6 ? network.PodIPv6 : network.PodIPv4;
        RemoteAddress = ipv6 ? network.RemoteIPv6 : network.RemoteIPv4;
        RemoteSecondAddress = ipv6 ? network.RemoteSecondIPv6 : network.RemoteSecondIPv4;
        InboundSource = ipv6 ? CapturedPod.InboundPassthroughSourceIPv6 : CapturedPod.InboundPassthroughSourceIPv4;
    }

    public IPAddress PodAddress { get; }

    public IPAddress RemoteAddress { get; }

    public IPAddress RemoteSecondAddress { get; }

    public IPAddress InboundSource { get; }

    /// <summary>The app's HTTP call to a remote service goes through the outbound listener, exactly once.</summary>
    public async Task OutboundHttpGoesThroughProxyOnceAsync()
    {
        var before = await CountersAsync();
        var path = NewPath("outbound");

        var response = await Curl.GetAsync(_pod.PodNs, new IPEndPoint(RemoteAddress, CapturedPod.RemoteHttpPort), CapturedPod.AppUid, path);

        var after = await CountersAsync();
        var seen = _pod.RemoteHttp.Records.Where(r => r.RequestLine.Contains(path, StringComparison.Ordinal)).ToList();
        await ExpectAsync(response.Status == 200 && response.CameThroughProxy, $"the app's request is answered through the proxy: {response}");
        // A recaptured upstream connection would re-enter the outbound listener and be counted (and sent) again.
        await ExpectAsync(Delta(before, after, OutboundRequests) == 1, $"the proxy forwarded the request once, not in a loop: {Deltas(before, after)}");
        await ExpectAsync(seen.Count == 1, $"the remote server received the request once, but saw it {seen.Count} times");
        Assert.Equal(PodAddress, seen[0].Peer.Address);
        Assert.True(seen[0].CameThroughProxy, "the proxy adds x-forwarded-proto to what it forwards");
        Assert.Equal(PodAddress.ToString(), seen[0].Headers["x-forwarded-for"]);
    }

    /// <summary>
    /// Opaque TCP (bytes no sniffer recognises) is relayed at L4 to the original destination, intact both ways.
    /// The client reads the whole echo before it closes: the proxy does not yet carry a client's half-close
    /// (see the report of the iptables branch), so the exchange does not depend on it.
    /// </summary>
    public async Task OpaqueTcpIsRelayedIntactAsync()
    {
        var before = await CountersAsync();
        var target = new IPEndPoint(RemoteAddress, CapturedPod.RemoteEchoPort);
        var payload = new byte[256 * 1024];
        new Random(1337).NextBytes(payload);
        payload[0] = 0x00; // not the start of any protocol the listener sniffs for
        var accepted = _pod.RemoteEcho.Records.Count;

        var echoed = new byte[payload.Length];
        // This process creates the socket, so its owner is root: an application user, not the proxy's 1337.
        using (var client = await _pod.PodNs.ConnectAsync(target, SocketTimeout))
        {
            using var deadline = new CancellationTokenSource(SocketTimeout);
            var sending = client.SendAsync(payload, SocketFlags.None, deadline.Token).AsTask();
            var received = 0;
            int read;
            while (received < echoed.Length && (read = await client.ReceiveAsync(echoed.AsMemory(received), SocketFlags.None, deadline.Token)) > 0)
            {
                received += read;
            }
            await sending;
            await ExpectAsync(received == payload.Length && echoed.AsSpan().SequenceEqual(payload), $"the echo came back intact ({received} of {payload.Length} bytes)");
        }

        var connection = Assert.Single(_pod.RemoteEcho.Records.Skip(accepted));
        Assert.Equal(PodAddress, connection.Peer.Address);
        Assert.Equal(target, connection.Local);
        var relayEnded = $"relay to {target} (PassthroughCluster) ended";
        await _pod.Proxy.WaitForLogAsync(relayEnded, SocketTimeout);
        var line = _pod.Proxy.Log.Split('\n').Last(l => l.Contains(relayEnded, StringComparison.Ordinal));
        // Only the upstream count is checked: the relay's downstream counter reads the pipe buffer after
        // AdvanceTo and under-counts (TcpRelay.CopyToClientAsync; see the report of the iptables branch).
        Assert.True(line.Contains($", {payload.Length} bytes sent, ", StringComparison.Ordinal), line);
        var after = await CountersAsync();
        await ExpectAsync(Delta(before, after, OutboundConnections) == 1, $"one L4 connection to the original destination: {Deltas(before, after)}");
    }

    /// <summary>A remote client calling the app's port goes through the inbound listener and reaches the app from the passthrough source.</summary>
    public async Task InboundGoesThroughProxyToAppAsync(IPAddress expectedAppPeer)
    {
        var before = await CountersAsync();
        var path = NewPath("inbound");

        var response = await Curl.GetAsync(_pod.RemoteNs, new IPEndPoint(PodAddress, CapturedPod.AppPort), uid: null, path, source: RemoteAddress);

        var after = await CountersAsync();
        await ExpectAsync(response.Status == 200 && response.CameThroughProxy, $"the remote client is answered through the proxy: {response}");
        var seen = Assert.Single(_pod.AppHttp.Records, r => r.RequestLine.Contains(path, StringComparison.Ordinal));
        Assert.Equal(expectedAppPeer, seen.Peer.Address);
        Assert.Equal(RemoteAddress.ToString(), seen.Headers["x-forwarded-for"]);
        await ExpectAsync(Delta(before, after, InboundRequests) == 1, $"one request through the inbound listener: {Deltas(before, after)}");
    }

    /// <summary>An outbound call the rules exclude goes straight to the server: no proxy headers, no counter moves.</summary>
    public async Task OutboundBypassesProxyAsync(IPAddress target, int port, RecordingHttpServer server)
    {
        var before = await CountersAsync();
        var path = NewPath("outbound-bypass");

        var response = await Curl.GetAsync(_pod.PodNs, new IPEndPoint(target, port), CapturedPod.AppUid, path);

        var after = await CountersAsync();
        await ExpectAsync(response.Status == 200 && !response.CameThroughProxy, $"the call is answered directly: {response}");
        var seen = Assert.Single(server.Records, r => r.RequestLine.Contains(path, StringComparison.Ordinal));
        Assert.False(seen.CameThroughProxy, "a direct request carries no x-forwarded-proto");
        Assert.Equal(PodAddress, seen.Peer.Address);
        Assert.Equal(target, seen.Local.Address);
        await ExpectAsync(Deltas(before, after) == "", $"the proxy's counters did not move: {Deltas(before, after)}");
    }

    /// <summary>An inbound call to a port the rules exclude reaches the app directly, from the remote's own address.</summary>
    public async Task InboundBypassesProxyAsync(int port, RecordingHttpServer app)
    {
        var before = await CountersAsync();
        var path = NewPath("inbound-bypass");

        var response = await Curl.GetAsync(_pod.RemoteNs, new IPEndPoint(PodAddress, port), uid: null, path, source: RemoteAddress);

        var after = await CountersAsync();
        await ExpectAsync(response.Status == 200 && !response.CameThroughProxy, $"the call is answered directly: {response}");
        var seen = Assert.Single(app.Records, r => r.RequestLine.Contains(path, StringComparison.Ordinal));
        Assert.Equal(RemoteAddress, seen.Peer.Address);
        Assert.False(seen.CameThroughProxy);
        await ExpectAsync(Deltas(before, after) == "", $"the proxy's counters did not move: {Deltas(before, after)}");
    }

    /// <summary>The proxy's own ports (readiness 15021, metrics 15090) are reached directly from outside, not via 15006.</summary>
    public async Task ProxyPortsAreNotCapturedInboundAsync()
    {
        var before = await CountersAsync();

        var readiness = await Curl.GetAsync(_pod.RemoteNs, new IPEndPoint(PodAddress, 15021), uid: null, "/healthz/ready");
        var metrics = await Curl.GetAsync(_pod.RemoteNs, new IPEndPoint(PodAddress, 15090), uid: null, "/stats/prometheus");

        var after = await CountersAsync();
        await ExpectAsync(readiness.Status == 200 && readiness.Body.Contains("LIVE", StringComparison.Ordinal), $"readiness answers: {readiness}");
        await ExpectAsync(metrics.Status == 200 && metrics.Body.Contains("envoy_cluster_upstream_rq_total", StringComparison.Ordinal), $"metrics answer: {metrics}");
        await ExpectAsync(Deltas(before, after) == "", $"neither went through the inbound listener: {Deltas(before, after)}");
    }

    /// <summary>
    /// A remote client calling the capture ports themselves is not looped: the inbound listener refuses a
    /// connection whose original destination is itself, and one relayed to 127.0.0.1:15001 from 127.0.0.6 (not
    /// captured again) reaches the outbound listener unredirected and is refused there.
    /// </summary>
    public async Task CapturePortsCalledDirectlyAreRefusedAsync()
    {
        var before = await CountersAsync();

        var inbound = await Curl.GetAsync(_pod.RemoteNs, new IPEndPoint(PodAddress, 15006), uid: null, NewPath("direct-15006"), source: RemoteAddress);
        var outbound = await Curl.GetAsync(_pod.RemoteNs, new IPEndPoint(PodAddress, 15001), uid: null, NewPath("direct-15001"), source: RemoteAddress);

        var after = await CountersAsync();
        await ExpectAsync(inbound.Status != 200 && outbound.Status != 200, $"neither is answered by an app:\n{inbound}\n{outbound}");
        await ExpectAsync(Delta(before, after, InboundRequests) <= 1 && Delta(before, after, OutboundRequests) == 0, $"no loop: {Deltas(before, after)}");
        var remote = RemoteAddress.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{RemoteAddress}]" : RemoteAddress.ToString();
        await _pod.Proxy.WaitForLogAsync($"Listener inbound: refused a connection from {remote}:", SocketTimeout);
        await _pod.Proxy.WaitForLogAsync("Listener outbound: refused a connection from 127.0.0.6", SocketTimeout);
    }

    /// <summary>
    /// A call from the proxy's uid to the pod's own address is sent into the inbound listener (Istio: "appN =&gt;
    /// Envoy (client) =&gt; Envoy (server) =&gt; appN"); with the inbound passthrough source as its own source address it is
    /// the proxy's inbound leg itself and must not be captured again.
    /// </summary>
    public async Task ProxyUidToOwnPodAsync(bool fromInboundSource, IPAddress expectedAppPeer)
    {
        var before = await CountersAsync();
        var path = NewPath(fromInboundSource ? "from-inbound-source" : "proxy-to-own-pod");

        var response = await Curl.GetAsync(_pod.PodNs, new IPEndPoint(PodAddress, CapturedPod.AppPort), NamespacedProxy.ProxyUid, path,
            source: fromInboundSource ? InboundSource : null);

        var after = await CountersAsync();
        var captured = !fromInboundSource;
        await ExpectAsync(response.Status == 200 && response.CameThroughProxy == captured, $"captured: {captured}: {response}");
        var seen = Assert.Single(_pod.AppHttp.Records, r => r.RequestLine.Contains(path, StringComparison.Ordinal));
        Assert.Equal(expectedAppPeer, seen.Peer.Address);
        Assert.Equal(captured, seen.CameThroughProxy);
        await ExpectAsync(Delta(before, after, InboundRequests) == (captured ? 1 : 0), $"inbound listener used: {captured}: {Deltas(before, after)}");
    }

    /// <summary>The app calling its own pod address stays on lo and is not captured (Istio: "appN =&gt; appN by lo").</summary>
    public async Task AppToOwnPodIsNotCapturedAsync()
    {
        var before = await CountersAsync();
        var path = NewPath("app-to-own-pod");

        var response = await Curl.GetAsync(_pod.PodNs, new IPEndPoint(PodAddress, CapturedPod.AppPort), CapturedPod.AppUid, path);

        var after = await CountersAsync();
        await ExpectAsync(response.Status == 200 && !response.CameThroughProxy, $"answered directly: {response}");
        var seen = Assert.Single(_pod.AppHttp.Records, r => r.RequestLine.Contains(path, StringComparison.Ordinal));
        Assert.Equal(PodAddress, seen.Peer.Address);
        await ExpectAsync(Deltas(before, after) == "", $"the proxy's counters did not move: {Deltas(before, after)}");
    }

    /// <summary>The counters that show which path traffic took, read now.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountersAsync() => await _pod.Proxy.GetStatsAsync();

    public static long Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, string counter) =>
        after[counter] - before[counter];

    /// <summary>"name +N" for each path counter that moved; empty when none did.</summary>
    public static string Deltas(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        string.Join(", ", Counters.Where(c => Delta(before, after, c) != 0).Select(c => $"{c} +{Delta(before, after, c)}"));

    public static string NewPath(string scenario) => $"/{scenario}-{Guid.NewGuid():N}";

    private async Task ExpectAsync(bool condition, string expectation)
    {
        if (!condition)
        {
            Assert.Fail($"Expected {expectation}\n{await _pod.DescribeAsync()}");
        }
    }
}
