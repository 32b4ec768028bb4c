using MeshProxy.TestSupport.Namespaces;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// IPv6 capture is tested wherever the kernel allows it inside a namespace. Where it does not, a test still says
/// so explicitly: the probe's result and reason go to the test output, and an unavailable result must name why.
/// </summary>
internal static class Ipv6Report
{
    public static bool IsAvailable(PodNetwork network, ITestOutputHelper output)
    {
        output.WriteLine($"IPv6 probe in {network.Pod.Name}: {(network.Ipv6.Available ? "available" : "UNAVAILABLE")}: {network.Ipv6.Reason}");
        if (!network.Ipv6.Available)
        {
            Assert.False(string.IsNullOrWhiteSpace(network.Ipv6.Reason), "The IPv6 probe failed without saying why.");
        }
        return network.Ipv6.Available;
    }
}
