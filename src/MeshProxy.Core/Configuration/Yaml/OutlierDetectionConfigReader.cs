namespace MeshProxy.Configuration.Yaml;

/// <summary>Reads a cluster's <c>outlierDetection:</c> mapping. Cross-field rules live in HealthValidator.</summary>
internal static class OutlierDetectionConfigReader
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    public static OutlierDetectionConfig Read(YamlMappingReader map)
    {
        var d = OutlierDetectionConfig.Default;
        var config = new OutlierDetectionConfig
        {
            Consecutive5xx = Count(map, "consecutive5xx", d.Consecutive5xx),
            ConsecutiveGatewayFailure = Count(map, "consecutiveGatewayFailure", d.ConsecutiveGatewayFailure),
            ConsecutiveLocalOriginFailure = Count(map, "consecutiveLocalOriginFailure", d.ConsecutiveLocalOriginFailure),
            Interval = map.Duration("interval", d.Interval, OneMillisecond),
            BaseEjectionTime = map.Duration("baseEjectionTime", d.BaseEjectionTime, OneMillisecond),
            MaxEjectionTime = map.Has("maxEjectionTime") ? map.Duration("maxEjectionTime", d.EffectiveMaxEjectionTime, OneMillisecond) : null,
            MaxEjectionTimeJitter = map.Duration("maxEjectionTimeJitter", d.MaxEjectionTimeJitter),
            MaxEjectionPercent = Percent(map, "maxEjectionPercent", d.MaxEjectionPercent),
            AlwaysEjectOneHost = map.Bool("alwaysEjectOneHost", d.AlwaysEjectOneHost),
            EnforcingConsecutive5xx = Percent(map, "enforcingConsecutive5xx", d.EnforcingConsecutive5xx),
            EnforcingConsecutiveGatewayFailure = Percent(map, "enforcingConsecutiveGatewayFailure", d.EnforcingConsecutiveGatewayFailure),
            EnforcingConsecutiveLocalOriginFailure = Percent(map, "enforcingConsecutiveLocalOriginFailure", d.EnforcingConsecutiveLocalOriginFailure),
            EnforcingSuccessRate = Percent(map, "enforcingSuccessRate", d.EnforcingSuccessRate),
            EnforcingLocalOriginSuccessRate = Percent(map, "enforcingLocalOriginSuccessRate", d.EnforcingLocalOriginSuccessRate),
            SuccessRateMinimumHosts = Count(map, "successRateMinimumHosts", d.SuccessRateMinimumHosts),
            SuccessRateRequestVolume = Count(map, "successRateRequestVolume", d.SuccessRateRequestVolume),
            SuccessRateStdevFactor = Count(map, "successRateStdevFactor", d.SuccessRateStdevFactor),
            FailurePercentageThreshold = Percent(map, "failurePercentageThreshold", d.FailurePercentageThreshold),
            EnforcingFailurePercentage = Percent(map, "enforcingFailurePercentage", d.EnforcingFailurePercentage),
            EnforcingFailurePercentageLocalOrigin = Percent(map, "enforcingFailurePercentageLocalOrigin", d.EnforcingFailurePercentageLocalOrigin),
            FailurePercentageMinimumHosts = Count(map, "failurePercentageMinimumHosts", d.FailurePercentageMinimumHosts),
            FailurePercentageRequestVolume = Count(map, "failurePercentageRequestVolume", d.FailurePercentageRequestVolume),
            SplitExternalLocalOriginErrors = map.Bool("splitExternalLocalOriginErrors", d.SplitExternalLocalOriginErrors),
            SuccessfulActiveHealthCheckUnejectHost = map.Bool("successfulActiveHealthCheckUnejectHost", d.SuccessfulActiveHealthCheckUnejectHost),
        };
        map.ReportUnknownKeys();
        return config;
    }

    private static int Percent(YamlMappingReader map, string key, int defaultValue) => map.Int(key, defaultValue, 0, 100);

    // 0 is allowed where Envoy allows it: a consecutive counter of 0 never fires, as Envoy's `++count == 0` never holds.
    private static int Count(YamlMappingReader map, string key, int defaultValue) => map.Int(key, defaultValue, 0, int.MaxValue);
}
