using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Listeners;

namespace MeshProxy.Tests.Listeners;

public sealed class ListenerStateTests
{
    private static ListenerState Listener(OutboundPolicy policy = OutboundPolicy.AllowAny) => new(ConfigLoader.LoadText($$"""
        listeners:
          - name: outbound
            address: 0.0.0.0:15001
            capture: outbound
            outboundPolicy: {{policy}}
            filterChains:
              - name: any-address-port-80
                match: { destinationPort: 80 }
                tcp: { cluster: c }
              - name: service-ip-port-80
                match: { destinationPort: 80, destinationAddresses: [10.96.0.10] }
                tcp: { cluster: c }
              - name: service-range-port-80
                match: { destinationPort: 80, destinationAddresses: [10.96.0.0/16] }
                tcp: { cluster: c }
              - name: pod-range-any-port
                match: { destinationAddresses: [10.244.0.0/16, "fd00::/8"] }
                tcp: { cluster: c }
        {{(policy == OutboundPolicy.AllowAny ? "    tcp: { cluster: c }" : "")}}
        clusters: [ { name: c } ]
        """, "chains.yaml").GetConfigOrThrow().Listeners[0]);

    [Theory]
    [InlineData("10.96.0.10:80", "service-ip-port-80")]
    [InlineData("10.96.7.7:80", "service-range-port-80")]
    [InlineData("192.168.1.1:80", "any-address-port-80")]
    [InlineData("10.244.1.2:80", "any-address-port-80")]
    [InlineData("10.244.1.2:8080", "pod-range-any-port")]
    [InlineData("[fd00::5]:443", "pod-range-any-port")]
    [InlineData("[::ffff:10.244.1.2]:8080", "pod-range-any-port")]
    [InlineData("192.168.1.1:8080", "default")]
    public void SelectFilterChain_EnvoyPrecedence(string destination, string expected)
        => Assert.Equal(expected, Listener().SelectFilterChain(IPEndPoint.Parse(destination)).Name);

    [Fact]
    public void SelectFilterChain_RegistryOnly_UnknownDestinationIsBlackHole()
    {
        var listener = Listener(OutboundPolicy.RegistryOnly);

        Assert.True(listener.SelectFilterChain(IPEndPoint.Parse("192.168.1.1:8080")).IsBlackHole);
        Assert.Equal("service-ip-port-80", listener.SelectFilterChain(IPEndPoint.Parse("10.96.0.10:80")).Name);
    }

    [Fact]
    public void SelectFilterChain_NoDestination_Default() => Assert.Equal("default", Listener().SelectFilterChain(null).Name);
}
