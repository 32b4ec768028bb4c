using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.Health;

/// <summary>
/// Envoy's HTTP health check: GET path over HTTP/1.1 with the configured Host, straight to the endpoint's address
/// through a plain SocketsHttpHandler (connections are reused between checks, as Envoy's reuse_connection default).
/// An expected status passes, x-envoy-degraded on a passing answer degrades, any other status fails at once.
/// </summary>
internal sealed class HttpHealthProbe : IHealthProbe
{
    /// <summary>The header with which an endpoint asks to be degraded (Envoy's x-envoy-degraded).</summary>
    public const string DegradedHeader = "x-envoy-degraded";

    private const string UserAgent = "Envoy/HC";

    private readonly HttpHealthCheckConfig _config;
    private readonly string _host;
    private readonly HttpMessageInvoker _client;

    public HttpHealthProbe(HttpHealthCheckConfig config, ClusterConfig cluster)
    {
        _config = config;
        _host = config.Host ?? cluster.Name;
        var sourceAddresses = cluster.SourceAddresses;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var target = new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host.AsSpan().Trim("[]")), context.DnsEndPoint.Port);
                return new NetworkStream(await UpstreamSocketConnector.ConnectAsync(target, sourceAddresses, cancellationToken), ownsSocket: true);
            },
        };
        _client = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async ValueTask<HealthProbeResult> CheckAsync(EndpointState endpoint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.DestinationPrefix + _config.Path)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = _host;
        request.Headers.TryAddWithoutValidation("user-agent", UserAgent);
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken);
            // The body is read and dropped so the connection can be reused for the next check.
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            return Classify((int)response.StatusCode, response.Headers.Contains(DegradedHeader));
        }
        catch (HttpRequestException)
        {
            return HealthProbeResult.NetworkFailure;
        }
        catch (IOException)
        {
            return HealthProbeResult.NetworkFailure;
        }
    }

    /// <summary>Envoy's healthCheckResult: the status decides; the degraded header only matters on a passing answer.</summary>
    internal HealthProbeResult Classify(int status, bool degradedHeader)
    {
        foreach (var range in _config.ExpectedStatuses)
        {
            if (range.Contains(status))
            {
                return degradedHeader ? HealthProbeResult.Degraded : HealthProbeResult.Healthy;
            }
        }
        return HealthProbeResult.Failed;
    }

    public void Dispose() => _client.Dispose();
}
