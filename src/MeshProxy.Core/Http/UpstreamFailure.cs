using System.Net.Http;
using System.Net.Sockets;
using MeshProxy.Security;
using MeshProxy.Telemetry;

namespace MeshProxy.Http;

/// <summary>
/// Maps an upstream failure before response headers to Envoy's reset reason, response flag and local reply
/// status (source/common/router/router.cc: resetReasonToString and streamResetReasonToResponseFlag).
/// </summary>
public static class UpstreamFailure
{
    public static (ResponseFlags Flag, string Reason, int StatusCode) Classify(Exception? exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is UpstreamTlsException tls)
            {
                // Envoy's wording for a failed upstream TLS handshake, with our failure label as the TLS error.
                return (ResponseFlags.UpstreamConnectionFailure, "connection failure, transport failure reason: TLS_error: " + tls.Reason, 503);
            }
        }
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case HttpProtocolException protocol when protocol.ErrorCode == 0x7: // REFUSED_STREAM
                    return (ResponseFlags.UpstreamRemoteReset, "remote refused stream reset", 503);
                case HttpProtocolException:
                    return (ResponseFlags.UpstreamRemoteReset, "remote reset", 503);
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return (ResponseFlags.UpstreamConnectionFailure, "connection failure", 503);
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return (ResponseFlags.UpstreamConnectionTermination, "connection termination", 503);
                case HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse }:
                    return (ResponseFlags.UpstreamProtocolError, "protocol error", 502);
                case TimeoutException:
                    return (ResponseFlags.UpstreamConnectionFailure, "connection timeout", 503);
                case SocketException socket when socket.SocketErrorCode is SocketError.ConnectionReset:
                    return (ResponseFlags.UpstreamRemoteReset, "remote reset", 503);
            }
        }
        return (ResponseFlags.UpstreamConnectionTermination, "connection termination", 503);
    }
}
