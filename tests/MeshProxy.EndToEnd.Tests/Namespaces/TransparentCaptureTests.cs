using System.Net.Sockets;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// Transparent capture end to end over IPv4: the rules from iptables/meshproxy-iptables.sh in a pod namespace,
/// the real meshproxy with the built-in sidecar config as uid 1337, real clients (curl as the app's uid, raw
/// sockets) and recording servers in the pod and in a remote namespace.
/// </summary>
public sealed class TransparentCaptureTests(BuiltInSidecarPodFixture fixture) : IClassFixture<BuiltInSidecarPodFixture>
{
    private CaptureChecks Checks() => new(fixture.Require(), AddressFamily.InterNetwork);

    [Fact]
    public Task Outbound_AppHttpRequest_ReachesRemoteThroughProxy() => Checks().OutboundHttpGoesThroughProxyOnceAsync();

    [Fact]
    public async Task Outbound_ProxyOwnUpstreamConnection_IsNotCapturedAgain()
    {
        // Several requests in a row: each must cost exactly one pass through the proxy, however its pool is warm.
        var checks = Checks();
        for (var i = 0; i < 3; i++)
        {
            await checks.OutboundHttpGoesThroughProxyOnceAsync();
        }
    }

    [Fact]
    public Task Outbound_OpaqueTcp_RelayedToOriginalDestinationIntact() => Checks().OpaqueTcpIsRelayedIntactAsync();

    [Fact]
    public Task Inbound_RemoteClient_ReachesAppFromInboundPassthroughSource() =>
        Checks().InboundGoesThroughProxyToAppAsync(CapturedPod.InboundPassthroughSourceIPv4);

    [Fact]
    public Task Outbound_ExcludedPort_BypassesProxy()
    {
        var checks = Checks();
        return checks.OutboundBypassesProxyAsync(checks.RemoteAddress, CapturedPod.ExcludedOutboundPort, fixture.Require().RemoteExcludedPortHttp);
    }

    [Fact]
    public Task Outbound_ExcludedCidr_BypassesProxy()
    {
        var checks = Checks();
        return checks.OutboundBypassesProxyAsync(checks.RemoteSecondAddress, CapturedPod.RemoteHttpPort, fixture.Require().RemoteHttp);
    }

    [Fact]
    public Task Inbound_ExcludedPort_BypassesProxy() =>
        Checks().InboundBypassesProxyAsync(CapturedPod.ExcludedInboundPort, fixture.Require().AppExcludedPortHttp);

    [Fact]
    public Task Inbound_ProxyReadinessAndMetricsPorts_AreNotCaptured() => Checks().ProxyPortsAreNotCapturedInboundAsync();

    [Fact]
    public Task Inbound_CapturePortsCalledDirectly_AreRefusedNotLooped() => Checks().CapturePortsCalledDirectlyAreRefusedAsync();

    [Fact]
    public Task Output_ProxyUidToOwnPodAddress_EntersInboundListener() =>
        Checks().ProxyUidToOwnPodAsync(fromInboundSource: false, CapturedPod.InboundPassthroughSourceIPv4);

    [Fact]
    public Task Output_ProxyUidFromInboundPassthroughSource_IsNotCaptured() =>
        Checks().ProxyUidToOwnPodAsync(fromInboundSource: true, CapturedPod.InboundPassthroughSourceIPv4);

    [Fact]
    public Task Output_AppToOwnPodAddress_IsNotCaptured() => Checks().AppToOwnPodIsNotCapturedAsync();
}
