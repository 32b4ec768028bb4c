using MeshProxy.Upstream;

namespace MeshProxy.Health;

/// <summary>
/// Sends one active health check to one endpoint. The checker owns scheduling, the timeout (it cancels the token)
/// and the thresholds; a probe only says how this one check ended. Probes never throw for the endpoint's failures.
/// </summary>
public interface IHealthProbe : IDisposable
{
    ValueTask<HealthProbeResult> CheckAsync(EndpointState endpoint, CancellationToken cancellationToken);
}
