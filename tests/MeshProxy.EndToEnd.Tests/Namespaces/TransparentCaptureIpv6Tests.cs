using System.Net.Sockets;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// Transparent capture end to end over IPv6 (ip6tables rules, ::6 on lo), with the sidecar's capture listeners on
/// [::] (see <see cref="DualStackPodFixture"/>). Where the kernel does not allow IPv6 in the namespace, each test
/// reports the probe's reason in its output instead.
/// </summary>
public sealed class TransparentCaptureIpv6Tests(DualStackPodFixture fixture, ITestOutputHelper output) : IClassFixture<DualStackPodFixture>
{
    [Fact]
    public async Task Ipv6_Outbound_AppHttpRequest_ReachesRemoteThroughProxy()
    {
        if (Checks(AddressFamily.InterNetworkV6) is { } checks)
        {
            await checks.OutboundHttpGoesThroughProxyOnceAsync();
        }
    }

    [Fact]
    public async Task Ipv6_Outbound_OpaqueTcp_RelayedToOriginalDestinationIntact()
    {
        if (Checks(AddressFamily.InterNetworkV6) is { } checks)
        {
            await checks.OpaqueTcpIsRelayedIntactAsync();
        }
    }

    [Fact]
    public async Task Ipv6_Inbound_RemoteClient_ReachesApp()
    {
        // The built-in InboundPassthroughCluster picks its destination override and source address by family, as
        // Istio does: an IPv6 inbound connection reaches the app at [::1] from ::6.
        if (Checks(AddressFamily.InterNetworkV6) is { } checks)
        {
            await checks.InboundGoesThroughProxyToAppAsync(CapturedPod.InboundPassthroughSourceIPv6);
        }
    }

    [Fact]
    public async Task Ipv6_Outbound_ExcludedCidr_BypassesProxy()
    {
        if (Checks(AddressFamily.InterNetworkV6) is { } checks)
        {
            await checks.OutboundBypassesProxyAsync(checks.RemoteSecondAddress, CapturedPod.RemoteHttpPort, fixture.Require().RemoteHttp);
        }
    }

    [Fact]
    public async Task Ipv6_Output_ProxyUidToOwnPodAddress_EntersInboundListener()
    {
        if (Checks(AddressFamily.InterNetworkV6) is { } checks)
        {
            await checks.ProxyUidToOwnPodAsync(fromInboundSource: false, CapturedPod.InboundPassthroughSourceIPv6);
        }
    }

    [Fact]
    public async Task Ipv6_Output_ProxyUidFromInboundPassthroughSource_IsNotCaptured()
    {
        // ::6 exists because the install script added it to lo.
        if (Checks(AddressFamily.InterNetworkV6) is { } checks)
        {
            await checks.ProxyUidToOwnPodAsync(fromInboundSource: true, CapturedPod.InboundPassthroughSourceIPv6);
        }
    }

    [Fact]
    public async Task Ipv4_ThroughDualStackListener_ReachesRemoteThroughProxy()
    {
        // An IPv4 connection accepted by a [::] listener arrives as ::ffff:a.b.c.d; its original destination is
        // still read with SOL_IP/SO_ORIGINAL_DST.
        if (Checks(AddressFamily.InterNetwork) is { } checks)
        {
            await checks.OutboundHttpGoesThroughProxyOnceAsync();
        }
    }

    /// <summary>The checks, or null (with the probe's reason in the output) when the namespace has no usable IPv6.</summary>
    private CaptureChecks? Checks(AddressFamily family)
    {
        var pod = fixture.Require();
        return Ipv6Report.IsAvailable(pod.Network, output) ? new CaptureChecks(pod, family) : null;
    }
}
