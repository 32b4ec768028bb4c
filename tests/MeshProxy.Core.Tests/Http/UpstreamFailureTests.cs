using System.Net.Http;
using MeshProxy.Http;
using MeshProxy.Telemetry;

namespace MeshProxy.Tests.Http;

public sealed class UpstreamFailureTests
{
    [Fact]
    public void Classify_ConnectionError_UfConnectionFailure()
    {
        var (flag, reason, status) = UpstreamFailure.Classify(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));

        Assert.Equal((ResponseFlags.UpstreamConnectionFailure, "connection failure", 503), (flag, reason, status));
    }

    [Fact]
    public void Classify_ResponseEnded_UcConnectionTermination()
        => Assert.Equal(ResponseFlags.UpstreamConnectionTermination, UpstreamFailure.Classify(new HttpRequestException(HttpRequestError.ResponseEnded, "eof")).Flag);

    [Fact]
    public void Classify_InvalidResponse_UpeProtocolError502()
    {
        var (flag, reason, status) = UpstreamFailure.Classify(new HttpRequestException(HttpRequestError.InvalidResponse, "garbage"));

        Assert.Equal((ResponseFlags.UpstreamProtocolError, "protocol error", 502), (flag, reason, status));
    }

    [Fact]
    public void Classify_WrappedTimeout_ConnectionTimeout()
        => Assert.Equal("connection timeout", UpstreamFailure.Classify(new TaskCanceledException("t", new TimeoutException())).Reason);
}
