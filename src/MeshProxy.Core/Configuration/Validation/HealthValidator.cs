using MeshProxy.Utilities;

namespace MeshProxy.Configuration.Validation;

/// <summary>Cross-field rules of each cluster's healthChecks and outlierDetection sections.</summary>
internal sealed class HealthValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        for (var c = 0; c < config.Clusters.Count; c++)
        {
            var cluster = config.Clusters[c];
            var path = $"clusters[{c}]";
            if (cluster.Type == ClusterType.OriginalDestination)
            {
                if (cluster.HealthChecks is not null)
                {
                    diagnostics.Error($"{path}.healthChecks", "an originalDestination cluster has no endpoints to check; remove healthChecks");
                }
                if (cluster.OutlierDetection is not null)
                {
                    diagnostics.Error($"{path}.outlierDetection", "an originalDestination cluster has no endpoints to eject; remove outlierDetection");
                }
            }
            if (cluster.OutlierDetection is { MaxEjectionTime: { } max, BaseEjectionTime: var baseTime } && max < baseTime)
            {
                // Envoy refuses this too: "max_ejection_time cannot be smaller than base_ejection_time".
                diagnostics.Error($"{path}.outlierDetection.maxEjectionTime",
                    $"{Durations.Format(max)} is shorter than baseEjectionTime ({Durations.Format(baseTime)})");
            }
        }
    }
}
