namespace MeshProxy.Health;

/// <summary>Why outlier detection ejected an endpoint (Envoy's OutlierEjectionType).</summary>
public enum OutlierEjectionType
{
    Consecutive5xx,
    ConsecutiveGatewayFailure,
    ConsecutiveLocalOriginFailure,
    SuccessRate,
    LocalOriginSuccessRate,
    FailurePercentage,
    LocalOriginFailurePercentage,
}
