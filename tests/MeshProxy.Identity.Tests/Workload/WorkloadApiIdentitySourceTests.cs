using Google.Protobuf;
using Grpc.Core;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.Identity.Workload.Api;
using MeshProxy.Identity.Workload;
using MeshProxy.TestSupport;
using Xunit;

namespace MeshProxy.Identity.Tests.Workload;

public sealed class WorkloadApiIdentitySourceTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();
    private readonly CertificateAuthority _root = CertificateAuthority.CreateRoot(TestIdentities.ClusterLocal);
    private readonly CertificateAuthority _issuer;
    private readonly CollectingLogger<WorkloadApiIdentitySource> _logger = new();
    private WorkloadApiIdentitySource? _source;

    public WorkloadApiIdentitySourceTests() => _issuer = _root.CreateIntermediate("cluster1");

    private string SocketPath => _dir.File("agent.sock");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_CallWithoutSecurityHeader_InvalidArgument()
    {
        await using var server = await WorkloadApiTestServer.StartAsync(SocketPath);
        using var channel = WorkloadApiChannel.Create(WorkloadEndpointAddress.TryParse("unix://" + SocketPath, out var address, out _) ? address : null!);
        // The raw method path proves the service has no package: /SpiffeWorkloadAPI/FetchX509SVID.
        var method = new Method<X509SVIDRequest, X509SVIDResponse>(MethodType.ServerStreaming, "SpiffeWorkloadAPI", "FetchX509SVID",
            Marshallers.Create(r => r.ToByteArray(), X509SVIDRequest.Parser.ParseFrom), Marshallers.Create(r => r.ToByteArray(), X509SVIDResponse.Parser.ParseFrom));
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(cancellationToken: Cancel), new X509SVIDRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Cancel));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Stream_SvidThenRotationThenFederatedBundle_ClientObservesEach()
    {
        await using var server = await WorkloadApiTestServer.StartAsync(SocketPath);
        var svid1 = _issuer.Issue(TestIdentities.Server);
        server.State.Push(Response(svid1));
        var source = Start();
        var updates = Observe(source);

        var first = await source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);
        Assert.Equal(svid1.SerialNumber, first.Svid.SerialNumber);
        Assert.Equal(TestIdentities.Server, first.Svid.Id);
        Assert.Single(first.Svid.Intermediates);
        Assert.Equal(1, first.Bundles.Count);

        var svid2 = _issuer.Issue(TestIdentities.Server);
        server.State.Push(Response(svid2));
        var second = await updates.WaitForAsync(s => s.Svid.SerialNumber == svid2.SerialNumber, Wait);
        Assert.Equal(1, second.Bundles.Count);

        var other = CertificateAuthority.CreateRoot(TrustDomain.Parse("other.mesh"));
        server.State.Push(Response(svid2).Federating("other.mesh", other.Root));
        var third = await updates.WaitForAsync(s => s.Bundles.Count == 2, Wait);
        Assert.True(third.Bundles.TryGetBundle(TrustDomain.Parse("other.mesh"), out var bundle));
        Assert.Equal(other.Root.Thumbprint, Assert.Single(bundle.X509Authorities).Thumbprint);

        // Full state: a message without the federated bundle redacts it.
        server.State.Push(Response(svid2));
        await updates.WaitForAsync(s => s.Bundles.Count == 1, Wait);
    }

    [Fact]
    public async Task Stream_ServerKilledAndRestarted_ClientReconnectsWithBackoff()
    {
        var server = await WorkloadApiTestServer.StartAsync(SocketPath);
        var state = server.State;
        state.Push(Response(_issuer.Issue(TestIdentities.Server)));
        var source = Start();
        var updates = Observe(source);
        await source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);

        await server.DisposeAsync();
        await _logger.WaitForAsync("retrying in", Wait);
        var svid = _issuer.Issue(TestIdentities.Server);
        state.Push(Response(svid));
        await using var restarted = await WorkloadApiTestServer.StartAsync(SocketPath, state);

        await updates.WaitForAsync(s => s.Svid.SerialNumber == svid.SerialNumber, Wait);
        Assert.True(source.ConnectionAttempts >= 2);
    }

    [Fact]
    public async Task Stream_PermissionDeniedTwice_RetriesThenGetsIdentity()
    {
        await using var server = await WorkloadApiTestServer.StartAsync(SocketPath);
        server.State.RefuseFirstCalls = 2;
        server.State.Push(Response(_issuer.Issue(TestIdentities.Server)));
        var source = Start();

        await source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);
        Assert.Equal(3, server.State.Calls);
        Assert.Equal(2, _logger.Lines.Count(line => line.Contains("PermissionDenied", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Stream_InvalidArgument_GivesUpWithoutRetrying()
    {
        await using var server = await WorkloadApiTestServer.StartAsync(SocketPath);
        server.State.RefuseFirstCalls = int.MaxValue;
        server.State.RefusalStatus = StatusCode.InvalidArgument;
        var source = Start();

        await source.ExecuteTask!.WaitAsync(Wait, Cancel);
        Assert.Equal(1, server.State.Calls);
        Assert.Equal(1, source.ConnectionAttempts);
        await _logger.WaitForAsync("not retrying", Wait);
    }

    [Fact]
    public async Task Stream_InvalidSvidPushed_RejectedAndOldKept()
    {
        await using var server = await WorkloadApiTestServer.StartAsync(SocketPath);
        var good = _issuer.Issue(TestIdentities.Server);
        server.State.Push(Response(good));
        var source = Start();
        await source.WaitForIdentityAsync(Cancel).WaitAsync(Wait, Cancel);

        var wrongKey = Svid(_issuer.Issue(TestIdentities.Server)) with { Key = Svid(_issuer.Issue(TestIdentities.Server)).Key };
        server.State.Push(new WorkloadApiUpdate([wrongKey]));
        await _logger.WaitForAsync("(private_key_mismatch)", Wait);

        var mismatch = Svid(_issuer.Issue(TestIdentities.Server)) with { SpiffeId = "spiffe://cluster.local/ns/default/sa/other" };
        server.State.Push(new WorkloadApiUpdate([mismatch]));
        await _logger.WaitForAsync("(id_mismatch)", Wait);

        server.State.Push(new WorkloadApiUpdate([]));
        await _logger.WaitForAsync("(no_svid)", Wait);
        Assert.Equal(good.SerialNumber, source.Current!.Svid.SerialNumber);
    }

    public async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.StopAsync(CancellationToken.None);
            _source.Dispose();
        }
        _dir.Dispose();
    }

    private WorkloadApiIdentitySource Start()
    {
        _source = new WorkloadApiIdentitySource(new WorkloadApiOptions
        {
            EndpointAddress = "unix://" + SocketPath,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
        }, TimeProvider.System, _logger);
        _source.StartAsync(Cancel).GetAwaiter().GetResult();
        return _source;
    }

    private static UpdateLog Observe(IIdentitySource source)
    {
        var log = new UpdateLog();
        source.Changed += log.Add;
        return log;
    }

    private WorkloadApiUpdate Response(X509Svid svid) => WorkloadApiUpdate.For(svid, _root.Root);

    private WorkloadApiSvid Svid(X509Svid svid) => WorkloadApiSvid.From(svid, _root.Root);

    private sealed class UpdateLog
    {
        private readonly List<IdentitySnapshot> _snapshots = [];

        public void Add(IdentitySnapshot snapshot)
        {
            lock (_snapshots)
            {
                _snapshots.Add(snapshot);
            }
        }

        public Task<IdentitySnapshot> WaitForAsync(Func<IdentitySnapshot, bool> predicate, TimeSpan timeout) =>
            Poll.UntilAsync(() =>
            {
                lock (_snapshots)
                {
                    return _snapshots.LastOrDefault(predicate);
                }
            }, timeout, () => "No matching identity update");
    }
}
