using MeshProxy.Telemetry;

namespace MeshProxy.Tests.Telemetry;

public sealed class ResponseFlagsTests
{
    [Theory]
    [InlineData(ResponseFlags.None, "-")]
    [InlineData(ResponseFlags.NoRouteFound, "NR")]
    [InlineData(ResponseFlags.UpstreamConnectionFailure | ResponseFlags.UpstreamRetryLimitExceeded, "UF,URX")]
    [InlineData(ResponseFlags.UpstreamOverflow, "UO")]
    [InlineData(ResponseFlags.UpstreamRequestTimeout, "UT")]
    public void ToShortString_EnvoyFormat(ResponseFlags flags, string expected)
        => Assert.Equal(expected, ResponseFlagsFormatter.ToShortString(flags));
}
