using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Telemetry;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// A STRICT server sidecar whose identity comes from the SPIFFE Workload API (a real gRPC agent on a Unix socket),
/// called by a client sidecar with file identity: mesh mTLS with the SVID the agent sent, a rotated SVID on new
/// handshakes while pooled connections keep serving, and a federated bundle that lets another trust domain in.
/// </summary>
public sealed class WorkloadApiTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly MeshPki _mesh = new("cluster.local");
    private readonly MeshPki _otherOrg = new("other.org");
    private readonly TempDirectory _sockets = new();
    private readonly Stack<IAsyncDisposable> _started = new();
    private readonly List<(string Name, ProxyTestHost Proxy)> _proxies = [];

    private string ServerId => _mesh.Id("server");

    private string ClientId => _mesh.Id("client");

    [Fact]
    public async Task Http_ServerSvidFromWorkloadApi_ClientSidecarReachesBackendAndXfccNamesTheServer()
    {
        var hop = await StartHopAsync();

        var response = await GetEchoAsync(hop.Client);

        AssertServed(response, ClientId);
    }

    [Fact]
    public async Task SvidRotation_NewHandshakesPresentTheNewSerial_PooledConnectionKeepsServing()
    {
        var hop = await StartHopAsync();
        AssertServed(await GetEchoAsync(hop.Client), ClientId);
        Assert.Equal(Serial(hop.ServerSvid.SerialNumber), await ServedSerialAsync(hop));

        var rotated = _mesh.Issuer.Issue(SpiffeId.Parse(ServerId));
        hop.Agent.State.Push(WorkloadApiUpdate.For(rotated, _mesh.Root.Root));
        await WaitForIdentityUpdateAsync(hop.Server, $"{ServerId} serial {rotated.SerialNumber}");

        Assert.Equal(Serial(rotated.SerialNumber), await ServedSerialAsync(hop));
        AssertServed(await GetEchoAsync(hop.Client), ClientId);
        // One handshake for both requests: the second went over the connection made with the old SVID.
        Assert.True(await AdminStats.WaitForAsync(hop.Client, "cluster.server.ssl.handshake", expected: 1) == 1, Logs);
    }

    [Fact]
    public async Task FederatedBundlePush_ClientOfAnotherTrustDomain_RefusedBeforeServedAfter()
    {
        const string noBundle = "listener.inbound.ssl.handshake_failure.no_bundle_for_trust_domain";
        var hop = await StartHopAsync();
        var otherClientId = _otherOrg.Id("client");
        // The other.org client trusts cluster.local from the start: only the server lacks a bundle.
        var otherAgent = await StartAgentAsync("other-agent.sock",
            WorkloadApiUpdate.For(_otherOrg.Issuer.Issue(SpiffeId.Parse(otherClientId)), _otherOrg.Root.Root).Federating("cluster.local", _mesh.Root.Root));
        var otherClient = await StartProxyAsync("other.org client",
            WithWorkloadApi(files => SidecarYaml.Client(files, hop.Server.Listener("inbound"), ServerId), otherAgent));

        var refused = await GetEchoAsync(otherClient);
        Assert.True(StatusCode(refused) == "503", refused + Logs);
        var refusals = await AdminStats.WaitForAsync(hop.Server, noBundle, expected: 1);
        Assert.True(refusals > 0, $"{noBundle} was not counted{Logs}");

        hop.Agent.State.Push(WorkloadApiUpdate.For(hop.ServerSvid, _mesh.Root.Root).Federating("other.org", _otherOrg.Root.Root));
        await WaitForIdentityUpdateAsync(hop.Server, ", 2 trust bundles");

        AssertServed(await GetEchoAsync(otherClient), otherClientId);
        AssertServed(await GetEchoAsync(hop.Client), ClientId);
        Assert.Equal(refusals, await AdminStats.WaitForAsync(hop.Server, noBundle, expected: refusals));
    }

    public async ValueTask DisposeAsync()
    {
        while (_started.TryPop(out var started))
        {
            await started.DisposeAsync();
        }
        _sockets.Dispose();
        _otherOrg.Dispose();
        _mesh.Dispose();
    }

    /// <summary>
    /// An agent holding the server's SVID, a backend, the server sidecar (identity from the agent) and a client
    /// sidecar (identity from files).
    /// </summary>
    private async Task<Hop> StartHopAsync()
    {
        var serverSvid = _mesh.Issuer.Issue(SpiffeId.Parse(ServerId));
        var agent = await StartAgentAsync("server-agent.sock", WorkloadApiUpdate.For(serverSvid, _mesh.Root.Root));
        var backend = Started(await TestBackend.StartAsync());
        // Only HTTP is exercised here, so the TCP route may point at the HTTP backend.
        var server = await StartProxyAsync("server", WithWorkloadApi(files => SidecarYaml.Server(files, backend.Http1Address, backend.Http1Address), agent));
        var clientFiles = _mesh.Issue("client", ClientId);
        var client = await StartProxyAsync("client", SidecarYaml.Client(clientFiles, server.Listener("inbound"), ServerId));
        return new Hop(agent, server, client, serverSvid, clientFiles);
    }

    private sealed record Hop(WorkloadApiTestServer Agent, ProxyTestHost Server, ProxyTestHost Client, X509Svid ServerSvid, SvidFiles ClientFiles);

    // The identity is pushed before the proxy starts, so the proxy starts with it instead of waiting.
    private async Task<WorkloadApiTestServer> StartAgentAsync(string socketName, WorkloadApiUpdate identity)
    {
        var agent = Started(await WorkloadApiTestServer.StartAsync(_sockets.File(socketName)));
        agent.State.Push(identity);
        return agent;
    }

    private async Task<ProxyTestHost> StartProxyAsync(string name, string yaml)
    {
        var proxy = Started(await ProxyTestHost.StartAsync(yaml));
        _proxies.Add((name, proxy));
        return proxy;
    }

    private T Started<T>(T started) where T : IAsyncDisposable
    {
        _started.Push(started);
        return started;
    }

    /// <summary>
    /// A <see cref="SidecarYaml"/> config with its identity files replaced by <paramref name="agent"/>'s socket. SidecarYaml
    /// writes the section with <see cref="SvidFiles.IdentityYaml"/>, so a placeholder's section is found word for word.
    /// </summary>
    private static string WithWorkloadApi(Func<SvidFiles, string> sidecarYaml, WorkloadApiTestServer agent)
    {
        var placeholder = new SvidFiles("/identity-from-workload-api");
        var yaml = sidecarYaml(placeholder);
        var files = placeholder.IdentityYaml();
        Assert.True(yaml.Contains(files, StringComparison.Ordinal), "SidecarYaml no longer writes SvidFiles.IdentityYaml:\n" + yaml);
        return yaml.Replace(files, $"identity:\n  workloadApi:\n    socket: {agent.EndpointAddress}\n", StringComparison.Ordinal);
    }

    private static Task<ProcessResult> GetEchoAsync(ProxyTestHost client)
        => Curl.RunAsync("-w", "\n%{http_code}", client.ListenerUri("outbound", "/echo").ToString());

    private static string StatusCode(ProcessResult curl) => curl.StandardOutput.TrimEnd().Split('\n')[^1];

    /// <summary>The backend answered, and saw the server sidecar's XFCC naming both ends of the mTLS hop.</summary>
    private void AssertServed(ProcessResult response, string callerId)
    {
        Assert.True(StatusCode(response) == "200", response + Logs);
        Assert.Contains($"x-forwarded-client-cert: By={ServerId};", response.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($";URI={callerId}\n", response.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>The serial of the leaf a new handshake with the server's inbound port gets (s_client -showcerts, x509 -serial).</summary>
    private async Task<string> ServedSerialAsync(Hop hop)
    {
        var client = hop.ClientFiles;
        var handshake = await MutualTlsTests.SClientAsync(hop.Server, client.Certificate, client.Key, "istio-http/1.1,istio,http/1.1", client.Bundle);
        Assert.True(handshake.StandardOutput.Contains("Verify return code: 0 (ok)", StringComparison.Ordinal), handshake + Logs);
        var leaf = await MutualTlsTests.ServerCertificateTextAsync(handshake.StandardOutput);
        return Serial(leaf.Split('\n').Single(line => line.StartsWith("serial=", StringComparison.Ordinal))["serial=".Length..]);
    }

    // openssl drops the leading zero byte that .NET keeps when the top bit is set; compare the numbers.
    private static string Serial(string hex) => hex.Trim().TrimStart('0');

    /// <summary>Polls, up to <see cref="Wait"/>, for the proxy's identity source to log that it swapped in an identity matching <paramref name="text"/>.</summary>
    private async Task WaitForIdentityUpdateAsync(ProxyTestHost proxy, string text)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (!proxy.Logs.WithEventId(IdentityEventIds.IdentityUpdated).Any(line => line.Message.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"No identity update with '{text}' within {Wait}{Logs}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private string Logs => string.Concat(_proxies.Select(p => $"\n{p.Name} sidecar:\n{string.Join('\n', p.Proxy.Logs.Lines)}"));
}
