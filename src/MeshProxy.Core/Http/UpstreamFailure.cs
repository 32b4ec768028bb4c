using System.Net.Http;
using System.Net.Sockets;
using MeshProxy.Resilience;
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
        var reset = Reset(exception);
        return reset.Kind switch
        {
            // Envoy's wording for a failed upstream TLS handshake, with our failure label as the TLS error.
            ResetKind.ConnectFailure when reset.TlsFailure is { } tls => (ResponseFlags.UpstreamConnectionFailure, "connection failure, transport failure reason: TLS_error: " + tls, 503),
            ResetKind.ConnectFailure => (ResponseFlags.UpstreamConnectionFailure, "connection failure", 503),
            ResetKind.ConnectTimeout => (ResponseFlags.UpstreamConnectionFailure, "connection timeout", 503),
            ResetKind.RefusedStream => (ResponseFlags.UpstreamRemoteReset, "remote refused stream reset", 503),
            ResetKind.RemoteReset => (ResponseFlags.UpstreamRemoteReset, "remote reset", 503),
            ResetKind.ProtocolError => (ResponseFlags.UpstreamProtocolError, "protocol error", 502),
            ResetKind.Overflow => (ResponseFlags.UpstreamOverflow, "overflow", 503),
            ResetKind.PerTryTimeout => (ResponseFlags.UpstreamRequestTimeout, "per-try timeout", 504),
            _ => (ResponseFlags.UpstreamConnectionTermination, "connection termination", 503),
        };
    }

    /// <summary>Envoy's stream reset reason behind an exception from the HTTP engine or the attempt layer.</summary>
    public static UpstreamReset Reset(Exception? exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case UpstreamTlsException tls:
                    return new UpstreamReset(ResetKind.ConnectFailure, tls.Reason);
                case UpstreamOverflowException:
                    return new UpstreamReset(ResetKind.Overflow);
                case PerTryTimeoutException:
                    return new UpstreamReset(ResetKind.PerTryTimeout);
            }
        }
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case HttpProtocolException protocol when protocol.ErrorCode == 0x7: // REFUSED_STREAM
                    return new UpstreamReset(ResetKind.RefusedStream);
                case HttpProtocolException:
                    return new UpstreamReset(ResetKind.RemoteReset);
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                    return new UpstreamReset(ResetKind.ConnectFailure);
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return new UpstreamReset(ResetKind.ConnectionTermination);
                case HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse }:
                    return new UpstreamReset(ResetKind.ProtocolError);
                case TimeoutException:
                    return new UpstreamReset(ResetKind.ConnectTimeout);
                case SocketException socket when socket.SocketErrorCode is SocketError.ConnectionReset:
                    return new UpstreamReset(ResetKind.RemoteReset);
            }
        }
        return new UpstreamReset(ResetKind.ConnectionTermination);
    }
}
