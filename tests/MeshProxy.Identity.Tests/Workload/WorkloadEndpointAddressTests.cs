using System.Net;
using MeshProxy.Identity.Workload;
using Xunit;

namespace MeshProxy.Identity.Tests.Workload;

public class WorkloadEndpointAddressTests
{
    [Theory]
    [InlineData("unix:///tmp/spire-agent/public/api.sock", "/tmp/spire-agent/public/api.sock")]
    [InlineData("unix:/run/agent.sock", "/run/agent.sock")]
    public void TryParse_UnixUri_SocketPath(string text, string path)
    {
        Assert.True(WorkloadEndpointAddress.TryParse(text, out var address, out _));
        Assert.Equal(path, address.UnixSocketPath);
        Assert.Null(address.TcpEndPoint);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:8000", "127.0.0.1:8000")]
    [InlineData("tcp://[::1]:8000", "[::1]:8000")]
    public void TryParse_TcpUri_EndPoint(string text, string endPoint)
    {
        Assert.True(WorkloadEndpointAddress.TryParse(text, out var address, out _));
        Assert.Equal(IPEndPoint.Parse(endPoint), address.TcpEndPoint);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/tmp/agent.sock", "scheme")]
    [InlineData("http://127.0.0.1:8000", "scheme")]
    [InlineData("unix://host/tmp/agent.sock", "authority")]
    [InlineData("unix:agent.sock", "absolute path")]
    [InlineData("unix:///tmp/agent.sock?x=1", "query")]
    [InlineData("unix:///tmp/agent.sock#f", "fragment")]
    [InlineData("tcp://127.0.0.1:8000/foo", "path")]
    [InlineData("tcp://localhost:8000", "IP:port")]
    [InlineData("tcp://127.0.0.1", "IP:port")]
    [InlineData("tcp://[::1]", "IP:port")]
    [InlineData("tcp://user@127.0.0.1:8000", "user info")]
    public void TryParse_Invalid_SaysWhy(string text, string reason)
    {
        Assert.False(WorkloadEndpointAddress.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
